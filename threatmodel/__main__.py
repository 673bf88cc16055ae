"""`python -m threatmodel` runs the command-line interface."""

from threatmodel.cli import program

program()
