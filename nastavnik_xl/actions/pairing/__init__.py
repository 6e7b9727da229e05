"""The exact mentor–mentee assignment engine: scorer, solver, certificate (see ``solver``)."""
