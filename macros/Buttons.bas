Attribute VB_Name = "Buttons"
' Создано из nastavnik_xl/excel/buttons.py (BUTTONS): не правьте вручную, пересоздайте командой
' python -m nastavnik_xl.excel.vba_build macros
' Кнопка вызывает макрос без аргументов (LibreOffice не привязывает макрос с аргументом),
' а он — общий диспетчер NastavnikRun модуля Nastavnik.
Option Explicit

' «Проверить»: проверяет книгу по правилам целевой модели и выводит замечания на лист «Проверка».
Public Sub BtnValidate()
    NastavnikRun "validate", ""
End Sub

' «Подобрать пары»: предлагает пары наставник — наставляемый на листе «Подбор пар».
Public Sub BtnPair()
    NastavnikRun "pair", ""
End Sub

' «Утвердить пары»: переносит отмеченные предложения с листа «Подбор пар» на лист «Пары».
Public Sub BtnAccept()
    NastavnikRun "accept", ""
End Sub

' «Рассчитать охват»: считает охват по годам и категориям против целей на листе «Охват».
Public Sub BtnCoverage()
    NastavnikRun "coverage", ""
End Sub

' «Мониторинг»: сравнивает показатели на входе и на выходе на листе «Мониторинг».
Public Sub BtnMonitor()
    NastavnikRun "monitor", ""
End Sub

' «Персучёт за квартал»: составляет «Персонифицированный учёт» за квартал.
Public Sub BtnRegistry()
    NastavnikRun "registry", "Квартал, например 2025Q3 или «3 кв. 2025». Оставьте пустым — прошлый квартал."
End Sub
