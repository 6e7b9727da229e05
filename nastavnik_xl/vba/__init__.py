"""A source-only VBA project writer: MS-OVBA compression, the project's streams, an MS-CFB file.

``project.vba_project_bin(Project(...))`` gives the bytes of ``vbaProject.bin`` for
``xlsxwriter.Workbook.add_vba_project``. Nothing here imports Excel, xlwings or oletools.
"""
