from nastavnik_xl.cli import run

if __name__ == "__main__":
    run()
