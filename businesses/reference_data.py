"""The fixed list of what businesses seek and offer, loaded by a data migration."""

# (code, as sought, as offered). The codes are what the CSV import and filters use.
NEEDS = [
    ("buyers", "Buyers for our products", "A market: we buy"),
    ("suppliers", "Suppliers of inputs", "Supply: we sell to other firms"),
    ("investment", "Investment", "Investment capital"),
    ("technology", "Technology and knowledge", "Technology and know-how"),
    ("students", "Students and interns", "Student placements and training"),
    ("tourism", "Tourists and visitors", "Tourism packages and visitors"),
]
