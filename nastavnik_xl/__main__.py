from nastavnik_xl.cli import run

run()
