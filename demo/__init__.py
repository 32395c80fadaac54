"""The demo data and the synthetic seeding, outside the domain apps.

`manage.py load_demo` walks real cities' partnerships through the real services
(`demo.partnerships`, then the chambers in `demo.businesses`) from the files in `demo/data/`
(read and checked by `demo.dataset`); `manage.py seed_synthetic` bulk-inserts synthetic rows for
benchmarks (`demo.synthetic`). This app sits at the top of the dependency graph: it imports the
domain apps, none of them imports it.
"""
