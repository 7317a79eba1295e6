"""Input and output: read press releases (`readers`, `normalize`), write result tables (`writers`).

Import from the submodules; this package stays import-free so loading it costs nothing.
"""
