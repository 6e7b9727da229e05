# Наставничество в xlwings Lite: действия кнопок «Панели» как скрипты xlwings Lite.
# Вставьте этот текст во вкладку main.py редактора xlwings Lite, а текст requirements.txt из этой же
# папки — во вкладку requirements.txt. Скрипты запускаются из панели xlwings Lite; подробности —
# в docs/руководство-куратора.md, раздел «xlwings Lite».
#
# The scripts are the package's own (nastavnik_xl.excel.scripts): the same action the desktop buttons
# and the МНЦ's server run, on the book xlwings Lite hands in. Nothing here may differ from them.
from nastavnik_xl.excel.scripts import accept, coverage, monitor, pair, registry, validate  # noqa: F401
