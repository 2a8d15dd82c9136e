"""Organisational life (组织生活 / 三会一课): meeting records, rule sets and compliance."""
