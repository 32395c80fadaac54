"""The bottom layer every app may use: errors, the one update helper, the hook registry, the
page cache, view helpers, admin base classes, forms and formatting. It imports no app of ours."""
