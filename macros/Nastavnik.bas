Attribute VB_Name = "Nastavnik"
' The dispatcher of the curator's book: every button Sub (module Buttons) calls NastavnikRun with its
' action key. It runs nastavnik_xl.excel.dispatch.main through xlwings' RunPython on this book; Python
' reads the sheets through xlwings (unsaved edits included), writes the action's output sheet and
' shows its own messages, so a Python error never reaches the curator as a traceback.
' Settings (interpreter, PYTHONPATH) come from the sheet "xlwings.conf" or xlwings' config files.
Option Explicit

Private Const TITLE As String = "Наставничество"
Private Const ENTRY As String = "import nastavnik_xl.excel.dispatch as nastavnik; nastavnik.main("

' Run the action `action` of the package on this book. When `prompt` is not empty, ask the curator for
' a value first (the quarter of «Персучёт за квартал»); «Отмена» runs nothing.
Public Sub NastavnikRun(ByVal action As String, ByVal prompt As String)
    Dim argument As String
    If Len(prompt) > 0 Then
        argument = InputBox(prompt, TITLE)
        If StrPtr(argument) = 0 Then Exit Sub
    End If
    On Error GoTo Failed
    RunPython ENTRY & "'" & action & "', '" & HexUtf16(argument) & "')"
    Exit Sub
Failed:
    MsgBox "Не удалось запустить Python для кнопки: " & Err.Description & vbCrLf & vbCrLf & _
        "Проверьте, что установлены Python и пакет nastavnik-xl, а на листе «xlwings.conf» " & _
        "указан путь к Python (INTERPRETER_WIN) — см. руководство куратора.", vbExclamation, TITLE
End Sub

' The text as hexadecimal UTF-16 code units, four digits each: any characters reach Python intact,
' whatever the code page of the command line.
Private Function HexUtf16(ByVal text As String) As String
    Dim i As Long
    Dim digits As String
    For i = 1 To Len(text)
        digits = digits & Right$("000" & Hex$(AscW(Mid$(text, i, 1)) And &HFFFF&), 4)
    Next i
    HexUtf16 = digits
End Function
