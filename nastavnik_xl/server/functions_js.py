"""``/xlwings/custom-functions-code``: the JavaScript an Office.js add-in loads to call the worksheet
functions on the server.

xlwings' own ``custom_functions_code`` reads a JavaScript runtime that the PyPI wheel of xlwings does not
ship (it belongs to the xlwings Server application), so the server writes this small one: each function
posts its arguments to ``/xlwings/custom-functions-call`` with the add-in's token and returns the result,
or the server's Russian message when it refuses. On the server the functions cannot read the book (only
its arguments arrive), so they answer that the buttons compute the figures; the code is served so that
the add-in route is complete.
"""

from __future__ import annotations

import inspect
import json
from types import ModuleType

_BASE = """\
// Наставничество: функции листа через сервер МНЦ (протокол xlwings Server).
async function nastavnikCall(funcName, args, invocation) {
  const headers = { "Content-Type": "application/json" };
  if (typeof globalThis.getAuth === "function") {
    headers["Authorization"] = await globalThis.getAuth();
  }
  const body = {
    func_name: funcName,
    args: args,
    caller_address: invocation && invocation.address ? invocation.address : null,
    formula_name: funcName,
    version: VERSION,
    runtime: "1.4",
    culture_info_name: Office.context.contentLanguage || "ru-RU",
    date_format: "dd.MM.yyyy",
  };
  try {
    const response = await fetch(window.location.origin + CALL_PATH, {
      method: "POST", headers: headers, body: JSON.stringify(body),
    });
    if (!response.ok) {
      return [[await response.text()]];
    }
    return (await response.json()).result;
  } catch (error) {
    return [["Сервер МНЦ недоступен: " + error.toString()]];
  }
}
"""


def functions_code(module: ModuleType, version: str, call_path: str = "/xlwings/custom-functions-call") -> str:
    """The add-in's JavaScript for the ``__xlfunc__`` functions of ``module``."""
    lines = [f"const VERSION = {json.dumps(version)};", f"const CALL_PATH = {json.dumps(call_path)};", _BASE]
    for _, obj in inspect.getmembers(module):
        info = getattr(obj, "__xlfunc__", None)
        if info is None:
            continue
        name = info["name"]
        lines += [f"async function {name}(...args) {{",
                  "  const invocation = args.pop();",
                  "  return await nastavnikCall(" + json.dumps(name) + ", args, invocation);",
                  "}",
                  f"CustomFunctions.associate({json.dumps(name.upper())}, {name});", ""]
    return "\n".join(lines)
