"""nastavnik-xl: the curator's workbook of the mentoring target model and its Python actions."""

__version__ = "0.1.0"
