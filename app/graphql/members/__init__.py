"""The democratic evaluation of party members (民主评议党员): rounds, each member's
evaluations, grades and reviews."""
