"""Imports from files people keep in Excel: a table reader (`tables`: CSV in UTF-8 or GB18030,
xlsx), columns recognised by their headers (`columns`), and one module per kind of data
(`business_scores`). Independent of the command line, which only calls and prints."""
