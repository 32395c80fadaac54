# Filled by the chamber and sub-alliance issue.
