from nastavnik_xl.cli import main

main()
