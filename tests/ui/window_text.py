"""What a window shows, read as text: the sidebar's rows and the article list's titles."""

from newsreader.ui.main_window import MainWindow


def sidebar_texts(window: MainWindow) -> list[str]:
    """Every row of the sidebar, groups and their members, in the order shown."""
    return window.sidebar.texts()


def titles(window: MainWindow) -> list[str]:
    model = window.articles_model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]
