"""Tools that live beside kkdash, never inside it: the demo generator, the registry builder and the
test servers (a fake Google Sheets API, a browser launcher) shared by the tests and the benchmarks."""
