"""The Excel layer: the curator's buttons, worksheet functions and the VBA project of the .xlsm.

- ``buttons``   — the one list of «Панель» buttons; generates their VBA and places them (XlsxWriter);
- ``vba_build`` — ``vbaProject.bin`` from the sources in ``macros/``;
- ``dispatch``  — the Python side of the buttons (``RunPython`` → ``main`` → ``run_action``);
- ``udfs``      — the worksheet functions (``@xw.func``).

Only ``dispatch`` (when a button runs) and ``udfs`` import xlwings; ``buttons`` and ``vba_build`` do not,
so the book builder can use them where xlwings is not installed.
"""
