"""The municipal and regional summary from many school books (issue 16)."""
