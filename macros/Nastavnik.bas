Attribute VB_Name = "Nastavnik"
' The dispatcher of the curator's book: every button Sub (module Buttons) calls NastavnikRun with its
' action key. It runs nastavnik_xl.excel.dispatch.main through xlwings' RunPython on this book; Python
' reads the sheets through xlwings (unsaved edits included), writes the action's output sheet and
' shows its own messages, so a Python error never reaches the curator as a traceback.
' Settings (interpreter, PYTHONPATH) come from the sheet "xlwings.conf" or xlwings' config files.
' A book made for a school without Python has the setting NASTAVNIK_SERVER on its sheet "xlwings.conf"
' and xlwings' server modules (Remote, WebClient...): the action then runs on the МНЦ's server through
' RunRemotePython, which sends the book and the token of the setting AUTH and applies the server's answer.
Option Explicit

Private Const TITLE As String = "Наставничество"
Private Const ENTRY As String = "import nastavnik_xl.excel.dispatch as nastavnik; nastavnik.main("
Private Const SERVER_SETTING As String = "NASTAVNIK_SERVER"
Private Const SERVER_ROUTE As String = "/xlwings/custom-scripts-call/"

' Run the action `action` of the package on this book. When `prompt` is not empty, ask the curator for
' a value first (the quarter of «Персучёт за квартал»); «Отмена» runs nothing.
Public Sub NastavnikRun(ByVal action As String, ByVal prompt As String)
    Dim argument As String
    If Len(prompt) > 0 Then
        argument = InputBox(prompt, TITLE)
        If StrPtr(argument) = 0 Then Exit Sub
    End If
    Dim server As String
    On Error GoTo NoSettings
    server = ServerAddress()
    On Error GoTo 0
    If Len(server) > 0 Then
        RunOnServer server, action, argument
        Exit Sub
    End If
    On Error GoTo Failed
    RunPython ENTRY & "'" & action & "', '" & HexUtf16(argument) & "')"
    Exit Sub
NoSettings:
    MsgBox "Не удалось прочитать настройки на листе «xlwings.conf»: " & Err.Description & vbCrLf & vbCrLf & _
        "В столбце A листа названия настроек идут подряд, без пустых строк и без повторов.", vbExclamation, TITLE
    Exit Sub
Failed:
    MsgBox "Не удалось запустить Python для кнопки: " & Err.Description & vbCrLf & vbCrLf & _
        "Проверьте, что установлены Python и пакет nastavnik-xl, а на листе «xlwings.conf» " & _
        "указан путь к Python (INTERPRETER_WIN) — см. руководство куратора.", vbExclamation, TITLE
End Sub

' The МНЦ's server of this book: the setting NASTAVNIK_SERVER of the sheet "xlwings.conf" without spaces
' and trailing slashes; empty for a book that runs Python on this computer. Only the sheet counts: a
' book without xlwings' server modules must never be sent to a server named in a config file.
Private Function ServerAddress() As String
    Dim address As String
    address = Trim$(CStr(GetConfig(SERVER_SETTING, "", "sheet")))
    Do While Right$(address, 1) = "/"
        address = Left$(address, Len(address) - 1)
    Loop
    ServerAddress = address
End Function

' Run the action on the МНЦ's server (xlwings Server: POST <server>/xlwings/custom-scripts-call/<action>).
' RunRemotePython (module Remote) sends the book with the setting AUTH as the Authorization header and
' applies the actions of the answer; an answer other than 200 it shows itself (the server's Russian text).
' It is called by name through Application.Run, so the module compiles in a book without Remote.
Private Sub RunOnServer(ByVal server As String, ByVal action As String, ByVal argument As String)
    Dim url As String
    url = server & SERVER_ROUTE & action
    If Len(argument) > 0 Then url = url & "?argument=" & HexUtf16(argument)
    On Error GoTo Failed
    Application.Run "'" & Replace(ThisWorkbook.Name, "'", "''") & "'!RunRemotePython", url
    Exit Sub
Failed:
    MsgBox "Не удалось выполнить действие на сервере МНЦ (" & server & "): " & Err.Description & _
        vbCrLf & vbCrLf & "Проверьте подключение к интернету и адрес сервера NASTAVNIK_SERVER на листе " & _
        "«xlwings.conf»; если ошибка повторяется, обратитесь в МНЦ.", vbExclamation, TITLE
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
