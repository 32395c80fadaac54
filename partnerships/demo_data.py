"""Demo data for the city-to-city partnership portal.

Pure data: no Django imports. Consumed by the ``load_demo`` management command.

Cities are real places with approximate real coordinates and populations
(city proper, municipality or metro, rounded). Partnerships are a mix of
real-world links and plausible invented ones; champions and users are
fictitious people.

CATEGORIES (code reference, not a constant used by code):

* Partnership category codes:
  ``"mic"`` (municipal international cooperation), ``"sister_city"``
  (sister city / twinning), ``"decentralised"`` (decentralised cooperation).
* Phase codes: ``"associative"``, ``"reciprocative"``, ``"commercial"``.
* Area-of-cooperation codes: ``"trade"``, ``"investment"``, ``"tourism"``,
  ``"culture"``, ``"education"``, ``"capacity"``, ``"environment"``,
  ``"health"``, ``"governance"``, ``"migration"``, ``"research"``.
* Status codes: ``"active"``, ``"paused"``, ``"ended"``, ``"archived"``.
* Steps (int 1..8): 1 strategy, 2 search, 3 approach & evaluation,
  4 selection, 5 planning, 6 agreement/MOU, 7 implementation,
  8 measurement & learning.
"""

CATEGORY_CODES = ("mic", "sister_city", "decentralised")
PHASE_CODES = ("associative", "reciprocative", "commercial")
AREA_CODES = (
    "trade",
    "investment",
    "tourism",
    "culture",
    "education",
    "capacity",
    "environment",
    "health",
    "governance",
    "migration",
    "research",
)
STATUS_CODES = ("active", "paused", "ended", "archived")
KIND_CODES = ("city", "town", "metro", "district", "region")
STEPS = {
    1: "Strategy",
    2: "Search",
    3: "Approach and evaluation",
    4: "Selection",
    5: "Planning",
    6: "Agreement / MOU",
    7: "Implementation",
    8: "Measurement and learning",
}

# ---------------------------------------------------------------------------
# Cities
# ---------------------------------------------------------------------------

CITIES = [
    # --- South Africa -------------------------------------------------------
    {
        "name": "Buffalo City",
        "province": "Eastern Cape",
        "country": "ZA",
        "kind": "metro",
        "population": 975255,
        "lat": -33.0153,
        "lon": 27.9116,
        "global_region": "south",
        "website": "https://www.buffalocity.gov.za",
        "sectors": ["C", "H", "P"],
        "profile": "Metro centred on East London and Qonce on the Eastern Cape "
        "coast, with a river port, an automotive assembly cluster and the "
        "East London Industrial Development Zone.",
        "development_plan": "IDP priorities: inclusive economic growth through "
        "the automotive and agro-processing value chains, reliable basic "
        "services, spatial integration and a well-governed metro.",
    },
    {
        "name": "Cape Town",
        "province": "Western Cape",
        "country": "ZA",
        "kind": "metro",
        "population": 4772846,
        "lat": -33.9249,
        "lon": 18.4241,
        "global_region": "south",
        "website": "https://www.capetown.gov.za",
        "sectors": ["I", "K", "J", "H"],
        "profile": "Legislative capital and second-largest metro of South "
        "Africa, with a major container port, a strong tourism economy and a "
        "growing technology and financial services sector.",
        "development_plan": "IDP priorities: job creation through an "
        "opportunity city agenda, safety, energy and water resilience, "
        "public transport and housing delivery.",
    },
    {
        "name": "Johannesburg",
        "province": "Gauteng",
        "country": "ZA",
        "kind": "metro",
        "population": 4803262,
        "lat": -26.2041,
        "lon": 28.0473,
        "global_region": "south",
        "website": "https://www.joburg.org.za",
        "sectors": ["K", "J", "G", "M"],
        "profile": "South Africa's largest city and commercial hub, home to "
        "the main stock exchange and many corporate head offices, founded on "
        "Witwatersrand gold mining.",
        "development_plan": "IDP priorities: economic recovery and job "
        "creation, restoring infrastructure and service delivery, inner-city "
        "renewal, safety and good governance.",
    },
    {
        "name": "eThekwini",
        "province": "KwaZulu-Natal",
        "country": "ZA",
        "kind": "metro",
        "population": 4239901,
        "lat": -29.8587,
        "lon": 31.0218,
        "global_region": "south",
        "website": "https://www.durban.gov.za",
        "sectors": ["H", "C", "I"],
        "profile": "Metro around Durban that runs Africa's busiest container "
        "port, with a large manufacturing base and a year-round beach "
        "tourism economy.",
        "development_plan": "IDP priorities: port-led economic growth and "
        "logistics, climate adaptation after flood damage, basic services "
        "in informal settlements and township economies.",
    },
    {
        "name": "Tshwane",
        "province": "Gauteng",
        "country": "ZA",
        "kind": "metro",
        "population": 4040315,
        "lat": -25.7479,
        "lon": 28.2293,
        "global_region": "south",
        "website": "https://www.tshwane.gov.za",
        "sectors": ["O", "P", "C", "M"],
        "profile": "Metro around Pretoria, the administrative capital, hosting "
        "national government, most embassies, several universities and an "
        "automotive manufacturing cluster.",
        "development_plan": "IDP priorities: financial recovery, reliable "
        "water and electricity, a capital-city economy built on knowledge "
        "and the automotive industry, and safer communities.",
    },
    {
        "name": "Ekurhuleni",
        "province": "Gauteng",
        "country": "ZA",
        "kind": "metro",
        "population": 4066691,
        "lat": -26.2178,
        "lon": 28.1672,
        "global_region": "south",
        "website": "https://www.ekurhuleni.gov.za",
        "sectors": ["C", "H", "G"],
        "profile": "Polycentric East Rand metro that includes O.R. Tambo "
        "International Airport and one of the densest concentrations of "
        "manufacturing in the country.",
        "development_plan": "IDP priorities: an aerotropolis-led industrial "
        "economy, township revitalisation, infrastructure maintenance and "
        "improved revenue collection.",
    },
    {
        "name": "Nelson Mandela Bay",
        "province": "Eastern Cape",
        "country": "ZA",
        "kind": "metro",
        "population": 1190496,
        "lat": -33.9608,
        "lon": 25.6022,
        "global_region": "south",
        "website": "https://www.nelsonmandelabay.gov.za",
        "sectors": ["C", "H", "I"],
        "profile": "Coastal metro formed around Gqeberha, Kariega and "
        "Despatch, known for vehicle and component manufacturing and the "
        "deep-water port of Ngqura.",
        "development_plan": "IDP priorities: diversifying beyond automotive "
        "manufacturing, water security, safety and a clean, well-run city.",
    },
    {
        "name": "Mangaung",
        "province": "Free State",
        "country": "ZA",
        "kind": "metro",
        "population": 811431,
        "lat": -29.0852,
        "lon": 26.1596,
        "global_region": "south",
        "website": "https://www.mangaung.co.za",
        "sectors": ["O", "P", "A"],
        "profile": "Metro around Bloemfontein, the judicial capital, serving "
        "as a services, education and agricultural trading centre for the "
        "Free State.",
        "development_plan": "IDP priorities: financial turnaround, water and "
        "sanitation backlogs, road maintenance and support for agri-business "
        "and small enterprises.",
    },
    {
        "name": "Polokwane",
        "province": "Limpopo",
        "country": "ZA",
        "kind": "city",
        "population": 843459,
        "lat": -23.9045,
        "lon": 29.4689,
        "global_region": "south",
        "website": "https://www.polokwane.gov.za",
        "sectors": ["G", "A", "Q"],
        "profile": "Capital of Limpopo and a regional retail, health and "
        "logistics node on the N1 corridor towards Zimbabwe.",
        "development_plan": "IDP priorities: bulk water supply, smart-city "
        "infrastructure, support for agricultural and mining supply chains "
        "and better rural service access.",
    },
    {
        "name": "Stellenbosch",
        "province": "Western Cape",
        "country": "ZA",
        "kind": "town",
        "population": 175683,
        "lat": -33.9321,
        "lon": 18.8602,
        "global_region": "south",
        "website": "https://www.stellenbosch.gov.za",
        "sectors": ["A", "P", "I"],
        "profile": "University town in the Cape Winelands with a large wine "
        "industry, a technology start-up scene and strong tourism.",
        "development_plan": "IDP priorities: affordable housing, traffic and "
        "mobility, protection of agricultural land and an innovation-led "
        "local economy.",
    },
    {
        "name": "Mbombela",
        "province": "Mpumalanga",
        "country": "ZA",
        "kind": "city",
        "population": 750000,
        "lat": -25.4753,
        "lon": 30.9694,
        "global_region": "south",
        "website": "https://www.mbombela.gov.za",
        "sectors": ["A", "I", "G"],
        "profile": "Provincial capital of Mpumalanga near the Kruger National "
        "Park, with citrus and subtropical fruit farming and a cross-border "
        "trade link to Maputo.",
        "development_plan": "IDP priorities: water and road infrastructure, "
        "tourism and agro-processing growth along the Maputo Development "
        "Corridor, and rural development.",
    },
    {
        "name": "Msunduzi",
        "province": "KwaZulu-Natal",
        "country": "ZA",
        "kind": "city",
        "population": 817725,
        "lat": -29.6006,
        "lon": 30.3794,
        "global_region": "south",
        "website": "https://www.msunduzi.gov.za",
        "sectors": ["O", "C", "P"],
        "profile": "Municipality of Pietermaritzburg, the KwaZulu-Natal "
        "capital, combining provincial administration, schools and light "
        "manufacturing.",
        "development_plan": "IDP priorities: restoring financial health, "
        "waste and electricity services, inner-city renewal and job creation "
        "along the N3 corridor.",
    },
    {
        "name": "Sol Plaatje",
        "province": "Northern Cape",
        "country": "ZA",
        "kind": "city",
        "population": 270078,
        "lat": -28.7282,
        "lon": 24.7499,
        "global_region": "south",
        "website": "https://www.solplaatje.org.za",
        "sectors": ["B", "O", "I"],
        "profile": "Municipality of Kimberley, the Northern Cape capital, "
        "whose history is tied to diamond mining and which now serves a wide "
        "arid hinterland.",
        "development_plan": "IDP priorities: water network renewal, "
        "electricity reliability, heritage tourism and beneficiation of "
        "mining output.",
    },
    # --- China --------------------------------------------------------------
    {
        "name": "Hangzhou",
        "province": "Zhejiang",
        "country": "CN",
        "kind": "city",
        "population": 12376000,
        "lat": 30.2741,
        "lon": 120.1551,
        "global_region": "south",
        "website": "https://www.hangzhou.gov.cn",
        "sectors": ["J", "G", "I"],
        "profile": "Capital of Zhejiang, known for West Lake tourism and as a "
        "centre of e-commerce and digital platforms.",
        "development_plan": "Five-year plan priorities: digital economy, "
        "advanced manufacturing, ecological protection and international "
        "events hosting.",
    },
    {
        "name": "Jinhua",
        "province": "Zhejiang",
        "country": "CN",
        "kind": "city",
        "population": 7050000,
        "lat": 29.0790,
        "lon": 119.6474,
        "global_region": "south",
        "website": "https://www.jinhua.gov.cn",
        "sectors": ["G", "C", "H"],
        "profile": "Prefecture-level city that includes Yiwu, one of the "
        "world's largest small-commodity wholesale markets, with strong "
        "export trade links to Africa.",
        "development_plan": "Five-year plan priorities: international trade "
        "and logistics, hardware and new-energy manufacturing, and rural "
        "revitalisation.",
    },
    {
        "name": "Guangzhou",
        "province": "Guangdong",
        "country": "CN",
        "kind": "city",
        "population": 18827000,
        "lat": 23.1291,
        "lon": 113.2644,
        "global_region": "south",
        "website": "https://www.gz.gov.cn",
        "sectors": ["C", "G", "H"],
        "profile": "Capital of Guangdong and a historic trading port in the "
        "Pearl River Delta, host of the biannual Canton Fair.",
        "development_plan": "Five-year plan priorities: advanced "
        "manufacturing, trade and exhibition services, port and airport "
        "logistics, and Greater Bay Area integration.",
    },
    {
        "name": "Wuhan",
        "province": "Hubei",
        "country": "CN",
        "kind": "city",
        "population": 13739000,
        "lat": 30.5928,
        "lon": 114.3055,
        "global_region": "south",
        "website": "https://www.wuhan.gov.cn",
        "sectors": ["C", "P", "H"],
        "profile": "Central China transport hub on the Yangtze with a large "
        "university population and automotive and optoelectronics industries.",
        "development_plan": "Five-year plan priorities: optoelectronics and "
        "automotive clusters, science and education, and inland shipping "
        "and rail logistics.",
    },
    {
        "name": "Nanjing",
        "province": "Jiangsu",
        "country": "CN",
        "kind": "city",
        "population": 9491000,
        "lat": 32.0603,
        "lon": 118.7969,
        "global_region": "south",
        "website": "https://www.nanjing.gov.cn",
        "sectors": ["P", "C", "J"],
        "profile": "Historic capital of Jiangsu with many universities, "
        "petrochemical and electronics industries and a Yangtze port.",
        "development_plan": "Five-year plan priorities: innovation and "
        "software industries, higher education, and cultural heritage "
        "tourism.",
    },
    {
        "name": "Ningbo",
        "province": "Zhejiang",
        "country": "CN",
        "kind": "city",
        "population": 9618000,
        "lat": 29.8683,
        "lon": 121.5440,
        "global_region": "south",
        "website": "https://www.ningbo.gov.cn",
        "sectors": ["H", "C", "G"],
        "profile": "Port city whose combined Ningbo-Zhoushan port is among the "
        "world's largest by cargo tonnage, with petrochemical and appliance "
        "manufacturing.",
        "development_plan": "Five-year plan priorities: port and shipping "
        "services, smart manufacturing, and trade cooperation with "
        "Belt and Road partners.",
    },
    # --- United Kingdom -----------------------------------------------------
    {
        "name": "Birmingham",
        "province": "England",
        "country": "GB",
        "kind": "city",
        "population": 1145000,
        "lat": 52.4862,
        "lon": -1.8904,
        "global_region": "north",
        "website": "https://www.birmingham.gov.uk",
        "sectors": ["C", "K", "P"],
        "profile": "Second-largest city in the UK, a former engineering "
        "powerhouse now also strong in business services and universities, "
        "with a very diverse population.",
        "development_plan": "Council plan priorities: financial recovery, "
        "inclusive growth, housing, and regeneration around new transport "
        "links.",
    },
    {
        "name": "Leeds",
        "province": "England",
        "country": "GB",
        "kind": "city",
        "population": 812000,
        "lat": 53.8008,
        "lon": -1.5491,
        "global_region": "north",
        "website": "https://www.leeds.gov.uk",
        "sectors": ["K", "Q", "P"],
        "profile": "Major northern English city with a large financial and "
        "legal services sector, teaching hospitals and several universities.",
        "development_plan": "Council plan priorities: inclusive growth, "
        "health and wellbeing, and a net-zero transition.",
    },
    {
        "name": "Glasgow",
        "province": "Scotland",
        "country": "GB",
        "kind": "city",
        "population": 635000,
        "lat": 55.8642,
        "lon": -4.2518,
        "global_region": "north",
        "website": "https://www.glasgow.gov.uk",
        "sectors": ["P", "Q", "R"],
        "profile": "Scotland's largest city, a former shipbuilding centre "
        "that has reinvented itself through universities, health services, "
        "culture and events.",
        "development_plan": "Strategic plan priorities: tackling poverty, "
        "climate action after hosting COP26, and a fair, green economy.",
    },
    {
        "name": "Bristol",
        "province": "England",
        "country": "GB",
        "kind": "city",
        "population": 472000,
        "lat": 51.4545,
        "lon": -2.5879,
        "global_region": "north",
        "website": "https://www.bristol.gov.uk",
        "sectors": ["M", "J", "C"],
        "profile": "South-west English port city with aerospace engineering, "
        "creative and digital industries and two universities.",
        "development_plan": "Corporate strategy priorities: affordable homes, "
        "a zero-carbon city, and fair access to jobs and skills.",
    },
    # --- Netherlands --------------------------------------------------------
    {
        "name": "Leiden",
        "province": "South Holland",
        "country": "NL",
        "kind": "city",
        "population": 126000,
        "lat": 52.1601,
        "lon": 4.4970,
        "global_region": "north",
        "website": "https://gemeente.leiden.nl",
        "sectors": ["P", "M", "Q"],
        "profile": "Historic university city with a life-sciences park and a "
        "long tradition of international ties.",
        "development_plan": "Coalition programme priorities: housing, "
        "knowledge economy and life sciences, and sustainable mobility.",
    },
    {
        "name": "Rotterdam",
        "province": "South Holland",
        "country": "NL",
        "kind": "city",
        "population": 655000,
        "lat": 51.9244,
        "lon": 4.4777,
        "global_region": "north",
        "website": "https://www.rotterdam.nl",
        "sectors": ["H", "C", "M"],
        "profile": "Home of Europe's largest seaport, with a strong maritime "
        "cluster and internationally known expertise in water management "
        "and climate adaptation.",
        "development_plan": "Coalition programme priorities: port energy "
        "transition, climate-proof neighbourhoods, and jobs and skills for "
        "young residents.",
    },
    {
        "name": "Delft",
        "province": "South Holland",
        "country": "NL",
        "kind": "city",
        "population": 104000,
        "lat": 52.0116,
        "lon": 4.3571,
        "global_region": "north",
        "website": "https://www.delft.nl",
        "sectors": ["P", "M", "J"],
        "profile": "Compact historic city dominated by its technical "
        "university and a cluster of engineering and water-technology firms.",
        "development_plan": "Coalition programme priorities: housing growth, "
        "a technology campus economy, and energy-neutral neighbourhoods.",
    },
    # --- United States ------------------------------------------------------
    {
        "name": "Chicago",
        "province": "Illinois",
        "country": "US",
        "kind": "city",
        "population": 2665000,
        "lat": 41.8781,
        "lon": -87.6298,
        "global_region": "north",
        "website": "https://www.chicago.gov",
        "sectors": ["K", "H", "C"],
        "profile": "Third-largest US city and a Midwestern hub for finance, "
        "commodity trading, rail and air freight, with an active sister "
        "cities programme.",
        "development_plan": "City priorities: neighbourhood investment, "
        "public safety, climate action and inclusive economic growth.",
    },
    {
        "name": "Miami-Dade County",
        "province": "Florida",
        "country": "US",
        "kind": "district",
        "population": 2701000,
        "lat": 25.7617,
        "lon": -80.1918,
        "global_region": "north",
        "website": "https://www.miamidade.gov",
        "sectors": ["I", "H", "K"],
        "profile": "County government covering Miami and surrounding cities, "
        "a gateway for trade and tourism with Latin America and the "
        "Caribbean.",
        "development_plan": "Strategic plan priorities: resilience to sea "
        "level rise, transit expansion, affordable housing and trade "
        "logistics.",
    },
    {
        "name": "Atlanta",
        "province": "Georgia",
        "country": "US",
        "kind": "city",
        "population": 499000,
        "lat": 33.7490,
        "lon": -84.3880,
        "global_region": "north",
        "website": "https://www.atlantaga.gov",
        "sectors": ["H", "K", "P"],
        "profile": "Capital of Georgia with the world's busiest passenger "
        "airport, many corporate headquarters and historically Black "
        "colleges and universities.",
        "development_plan": "City priorities: affordable housing, the "
        "BeltLine regeneration, public safety and equitable growth.",
    },
    # --- Germany ------------------------------------------------------------
    {
        "name": "Aachen",
        "province": "North Rhine-Westphalia",
        "country": "DE",
        "kind": "city",
        "population": 249000,
        "lat": 50.7753,
        "lon": 6.0839,
        "global_region": "north",
        "website": "https://www.aachen.de",
        "sectors": ["P", "M", "C"],
        "profile": "Border city near Belgium and the Netherlands, home to a "
        "leading technical university and engineering research institutes.",
        "development_plan": "City priorities: climate neutrality, a "
        "research-driven economy, and mobility transition in the city centre.",
    },
    {
        "name": "Bremen",
        "province": "Bremen",
        "country": "DE",
        "kind": "city",
        "population": 577000,
        "lat": 53.0793,
        "lon": 8.8017,
        "global_region": "north",
        "website": "https://www.bremen.de",
        "sectors": ["H", "C", "M"],
        "profile": "Hanseatic city-state with ports at Bremen and "
        "Bremerhaven, aerospace and automotive plants, and a long-standing "
        "development cooperation office.",
        "development_plan": "State priorities: port logistics, aerospace and "
        "hydrogen industries, and climate protection.",
    },
    {
        "name": "Leipzig",
        "province": "Saxony",
        "country": "DE",
        "kind": "city",
        "population": 616000,
        "lat": 51.3397,
        "lon": 12.3731,
        "global_region": "north",
        "website": "https://www.leipzig.de",
        "sectors": ["H", "C", "R"],
        "profile": "Fast-growing east German city with an air cargo hub, car "
        "manufacturing and a rich musical and trade-fair tradition.",
        "development_plan": "Integrated urban development priorities: "
        "affordable growth, logistics and automotive jobs, and culture.",
    },
    # --- Nordic countries ---------------------------------------------------
    {
        "name": "Gävle",
        "province": "Gävleborg County",
        "country": "SE",
        "kind": "city",
        "population": 103000,
        "lat": 60.6749,
        "lon": 17.1413,
        "global_region": "north",
        "website": "https://www.gavle.se",
        "sectors": ["C", "H", "P"],
        "profile": "Swedish coastal city north of Stockholm with a port, "
        "steel, paper and engineering industries and a university, long "
        "engaged in municipal partnerships with South Africa.",
        "development_plan": "Municipal vision priorities: sustainable "
        "growth to 2025, fossil-free energy, and attractive housing and "
        "education.",
    },
    {
        "name": "Gothenburg",
        "province": "Västra Götaland",
        "country": "SE",
        "kind": "city",
        "population": 604000,
        "lat": 57.7089,
        "lon": 11.9746,
        "global_region": "north",
        "website": "https://goteborg.se",
        "sectors": ["C", "H", "P"],
        "profile": "Sweden's second city and largest Nordic port, with "
        "automotive, bearings and shipping industries and a strong "
        "international cooperation office.",
        "development_plan": "City budget priorities: a socially sustainable "
        "city, climate transition, and jobs in the port and automotive "
        "sectors.",
    },
    {
        "name": "Rauma",
        "province": "Satakunta",
        "country": "FI",
        "kind": "town",
        "population": 38900,
        "lat": 61.1287,
        "lon": 21.5113,
        "global_region": "north",
        "website": "https://www.rauma.fi",
        "sectors": ["C", "H", "R"],
        "profile": "Finnish port town with shipbuilding and forest industries "
        "and a wooden old town on the UNESCO World Heritage list.",
        "development_plan": "Town strategy priorities: industrial jobs, port "
        "growth, and preservation of the heritage old town.",
    },
    {
        "name": "Gjøvik",
        "province": "Innlandet",
        "country": "NO",
        "kind": "town",
        "population": 30800,
        "lat": 60.7957,
        "lon": 10.6916,
        "global_region": "north",
        "website": "https://www.gjovik.kommune.no",
        "sectors": ["P", "C", "J"],
        "profile": "Norwegian lakeside town on Mjøsa with a university campus "
        "known for information security studies and light industry.",
        "development_plan": "Municipal plan priorities: education and "
        "digital skills, public health, and climate-friendly transport.",
    },
    {
        "name": "Næstved",
        "province": "Zealand",
        "country": "DK",
        "kind": "town",
        "population": 84000,
        "lat": 55.2299,
        "lon": 11.7609,
        "global_region": "north",
        "website": "https://www.naestved.dk",
        "sectors": ["G", "C", "Q"],
        "profile": "Largest town in southern Zealand, a regional shopping, "
        "hospital and education centre.",
        "development_plan": "Municipal strategy priorities: attracting new "
        "residents and businesses, green transition, and welfare services.",
    },
    # --- France -------------------------------------------------------------
    {
        "name": "Nice",
        "province": "Provence-Alpes-Côte d'Azur",
        "country": "FR",
        "kind": "city",
        "population": 342000,
        "lat": 43.7102,
        "lon": 7.2620,
        "global_region": "north",
        "website": "https://www.nice.fr",
        "sectors": ["I", "J", "R"],
        "profile": "Mediterranean resort city on the Côte d'Azur, the second "
        "French airport for tourism and close to the Sophia Antipolis "
        "technology park.",
        "development_plan": "Metropolitan priorities: green city projects, "
        "tramway expansion, tourism and smart-city services.",
    },
    {
        "name": "Nantes",
        "province": "Pays de la Loire",
        "country": "FR",
        "kind": "city",
        "population": 320000,
        "lat": 47.2184,
        "lon": -1.5536,
        "global_region": "north",
        "website": "https://metropole.nantesmetropole.fr",
        "sectors": ["C", "J", "R"],
        "profile": "Loire city with aeronautics and digital industries, an "
        "inventive cultural scene and active decentralised cooperation with "
        "African cities.",
        "development_plan": "Metropolitan priorities: ecological transition, "
        "social cohesion and a creative, industrial economy.",
    },
    # --- Belgium ------------------------------------------------------------
    {
        "name": "Ghent",
        "province": "East Flanders",
        "country": "BE",
        "kind": "city",
        "population": 265000,
        "lat": 51.0543,
        "lon": 3.7174,
        "global_region": "north",
        "website": "https://stad.gent",
        "sectors": ["P", "C", "H"],
        "profile": "Flemish university city with a canal port, a steel and "
        "car-assembly industry and a long history of city development "
        "cooperation.",
        "development_plan": "Multi-year plan priorities: climate neutrality, "
        "affordable housing, and inclusive education and employment.",
    },
    {
        "name": "Antwerp",
        "province": "Antwerp",
        "country": "BE",
        "kind": "city",
        "population": 530000,
        "lat": 51.2194,
        "lon": 4.4025,
        "global_region": "north",
        "website": "https://www.antwerpen.be",
        "sectors": ["H", "C", "G"],
        "profile": "Belgium's second-largest city with a major European "
        "port, a chemical cluster and the world's leading diamond trading "
        "district.",
        "development_plan": "City plan priorities: port competitiveness, "
        "safe neighbourhoods and a cleaner, greener city.",
    },
    # --- Japan, Canada, Australia -------------------------------------------
    {
        "name": "Kobe",
        "province": "Hyogo",
        "country": "JP",
        "kind": "city",
        "population": 1510000,
        "lat": 34.6901,
        "lon": 135.1955,
        "global_region": "north",
        "website": "https://www.city.kobe.lg.jp",
        "sectors": ["H", "C", "M"],
        "profile": "Japanese port city with heavy industry, a medical "
        "research cluster and long experience in disaster recovery after "
        "the 1995 earthquake.",
        "development_plan": "City vision priorities: biomedical innovation, "
        "port revitalisation, disaster resilience and population retention.",
    },
    {
        "name": "Halifax",
        "province": "Nova Scotia",
        "country": "CA",
        "kind": "city",
        "population": 440000,
        "lat": 44.6488,
        "lon": -63.5752,
        "global_region": "north",
        "website": "https://www.halifax.ca",
        "sectors": ["H", "P", "O"],
        "profile": "Atlantic Canadian port and naval city with several "
        "universities and an ocean technology cluster.",
        "development_plan": "Regional plan priorities: housing supply, ocean "
        "economy growth, and climate adaptation along the coast.",
    },
    {
        "name": "Brisbane",
        "province": "Queensland",
        "country": "AU",
        "kind": "city",
        "population": 1280000,
        "lat": -27.4698,
        "lon": 153.0251,
        "global_region": "north",
        "website": "https://www.brisbane.qld.gov.au",
        "sectors": ["K", "P", "I"],
        "profile": "Queensland's capital and Australia's largest local "
        "government by population, with a river port, universities and a "
        "growing events economy.",
        "development_plan": "Council priorities: preparations for the 2032 "
        "Olympic Games, transport, flood resilience and liveable suburbs.",
    },
    # --- Latin America ------------------------------------------------------
    {
        "name": "Curitiba",
        "province": "Paraná",
        "country": "BR",
        "kind": "city",
        "population": 1773733,
        "lat": -25.4284,
        "lon": -49.2733,
        "global_region": "south",
        "website": "https://www.curitiba.pr.gov.br",
        "sectors": ["C", "J", "O"],
        "profile": "Southern Brazilian capital famed for pioneering bus rapid "
        "transit and integrated urban planning, with automotive and IT "
        "industries.",
        "development_plan": "Municipal plan priorities: public transport "
        "modernisation, green spaces, innovation districts and social "
        "inclusion.",
    },
    {
        "name": "Salvador",
        "province": "Bahia",
        "country": "BR",
        "kind": "city",
        "population": 2418005,
        "lat": -12.9777,
        "lon": -38.5016,
        "global_region": "south",
        "website": "https://www.salvador.ba.gov.br",
        "sectors": ["I", "R", "H"],
        "profile": "Historic Bahian capital with a large Afro-Brazilian "
        "community, a World Heritage old centre and a major carnival.",
        "development_plan": "Municipal plan priorities: tourism and creative "
        "economy, urban mobility, and upgrading low-income neighbourhoods.",
    },
    {
        "name": "Rosario",
        "province": "Santa Fe",
        "country": "AR",
        "kind": "city",
        "population": 1276000,
        "lat": -32.9442,
        "lon": -60.6505,
        "global_region": "south",
        "website": "https://www.rosario.gob.ar",
        "sectors": ["A", "C", "H"],
        "profile": "Argentine river port on the Paraná that handles much of "
        "the country's grain and oilseed exports, with agro-industrial "
        "firms and universities.",
        "development_plan": "Strategic plan priorities: riverfront and port "
        "logistics, urban safety, metropolitan coordination and food "
        "industries.",
    },
    # --- India --------------------------------------------------------------
    {
        "name": "Pune",
        "province": "Maharashtra",
        "country": "IN",
        "kind": "city",
        "population": 3124458,
        "lat": 18.5204,
        "lon": 73.8567,
        "global_region": "south",
        "website": "https://www.pmc.gov.in",
        "sectors": ["C", "J", "P"],
        "profile": "Indian education and industrial city with a major "
        "automotive and component cluster and many IT firms.",
        "development_plan": "Municipal priorities: smart-city mobility, "
        "water supply, and infrastructure for the automotive and IT "
        "corridors.",
    },
    {
        "name": "Chennai",
        "province": "Tamil Nadu",
        "country": "IN",
        "kind": "city",
        "population": 7088000,
        "lat": 13.0827,
        "lon": 80.2707,
        "global_region": "south",
        "website": "https://chennaicorporation.gov.in",
        "sectors": ["C", "H", "J"],
        "profile": "Coastal capital of Tamil Nadu with a large port, a dense "
        "automotive manufacturing belt and IT services.",
        "development_plan": "Corporation priorities: flood management, "
        "storm-water drains, solid waste and public health services.",
    },
    # --- Africa (outside South Africa) --------------------------------------
    {
        "name": "Mombasa",
        "province": "Mombasa County",
        "country": "KE",
        "kind": "city",
        "population": 1208333,
        "lat": -4.0435,
        "lon": 39.6682,
        "global_region": "south",
        "website": "https://www.mombasa.go.ke",
        "sectors": ["H", "I", "G"],
        "profile": "Kenya's main seaport and an East African logistics "
        "gateway, with coastal tourism and Swahili heritage.",
        "development_plan": "County integrated development plan priorities: "
        "port-linked jobs, blue economy, water supply and health services.",
    },
    {
        "name": "Nairobi",
        "province": "Nairobi County",
        "country": "KE",
        "kind": "city",
        "population": 4397073,
        "lat": -1.2921,
        "lon": 36.8219,
        "global_region": "south",
        "website": "https://nairobi.go.ke",
        "sectors": ["K", "J", "H"],
        "profile": "Kenyan capital and regional base for finance, mobile "
        "payments, technology start-ups and UN agencies.",
        "development_plan": "County integrated development plan priorities: "
        "affordable housing, urban mobility, waste management and a "
        "digital economy.",
    },
    {
        "name": "Maputo",
        "province": "Maputo City",
        "country": "MZ",
        "kind": "city",
        "population": 1120867,
        "lat": -25.9692,
        "lon": 32.5732,
        "global_region": "south",
        "website": "https://www.cmmaputo.gov.mz",
        "sectors": ["H", "O", "G"],
        "profile": "Mozambican capital on Maputo Bay, with a port linked by "
        "road and rail to Gauteng and Mpumalanga.",
        "development_plan": "Municipal plan priorities: solid waste, urban "
        "drainage, informal settlement upgrading and municipal revenue.",
    },
    {
        "name": "Beira",
        "province": "Sofala",
        "country": "MZ",
        "kind": "city",
        "population": 592090,
        "lat": -19.8436,
        "lon": 34.8389,
        "global_region": "south",
        "website": "https://www.cmbeira.gov.mz",
        "sectors": ["H", "A", "G"],
        "profile": "Mozambican port city at the end of a transport corridor "
        "serving Zimbabwe, Zambia and Malawi, heavily exposed to cyclones.",
        "development_plan": "Municipal plan priorities: coastal protection "
        "and drainage after Cyclone Idai, port corridor jobs and resilient "
        "housing.",
    },
    {
        "name": "Kumasi",
        "province": "Ashanti",
        "country": "GH",
        "kind": "metro",
        "population": 3490000,
        "lat": 6.6885,
        "lon": -1.6244,
        "global_region": "south",
        "website": "https://kma.gov.gh",
        "sectors": ["G", "A", "C"],
        "profile": "Historic Ashanti capital with one of West Africa's "
        "largest markets, a cocoa and timber hinterland and a science and "
        "technology university.",
        "development_plan": "Medium-term development plan priorities: market "
        "redevelopment, sanitation, local economic development and youth "
        "employment.",
    },
    {
        "name": "Windhoek",
        "province": "Khomas",
        "country": "NA",
        "kind": "city",
        "population": 486169,
        "lat": -22.5609,
        "lon": 17.0658,
        "global_region": "south",
        "website": "https://www.windhoekcc.org.na",
        "sectors": ["O", "K", "G"],
        "profile": "Namibian capital on a dry central plateau, known for "
        "direct potable water reuse and as the country's administrative and "
        "financial centre.",
        "development_plan": "Strategic plan priorities: serviced land and "
        "housing, water security, informal settlement upgrading and "
        "financial sustainability.",
    },
    {
        "name": "Walvis Bay",
        "province": "Erongo",
        "country": "NA",
        "kind": "town",
        "population": 102704,
        "lat": -22.9576,
        "lon": 14.5053,
        "global_region": "south",
        "website": "https://www.walvisbaycc.org.na",
        "sectors": ["H", "A", "I"],
        "profile": "Namibia's main deep-water port town, with fishing and "
        "fish processing, a logistics corridor to neighbouring countries "
        "and lagoon tourism.",
        "development_plan": "Strategic plan priorities: port and logistics "
        "hub growth, land for housing, and protection of the lagoon "
        "ecosystem.",
    },
]

# ---------------------------------------------------------------------------
# Partnerships
# ---------------------------------------------------------------------------

# The Buffalo City - Gävle record is co-managed by officers of both cities:
# Gävle is also the home city of other partnerships in the portal.
TWINNED_PAIR = ("Buffalo City", "Gävle")

PARTNERSHIPS = [
    # --- Buffalo City -------------------------------------------------------
    {
        "title": "Buffalo City – Gävle partnership",
        "home": "Buffalo City",
        "counterparts": ["Gävle"],
        "candidates": ["Gävle", "Gothenburg"],
        "category": "mic",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["environment", "capacity", "governance", "education"],
        "step": 7,
        "established": "2011-05-12",
        "strength": 8,
        "champion": {
            "name": "Cllr Thandi Mokoena",
            "title": "Portfolio Head: International Relations",
        },
        "summary": "Officer-to-officer exchange on climate planning, waste "
        "management and participatory governance between two port cities.",
    },
    {
        "title": "Buffalo City – Jinhua partnership",
        "home": "Buffalo City",
        "counterparts": ["Jinhua"],
        "candidates": ["Jinhua", "Wuhan"],
        "category": "sister_city",
        "phase": "commercial",
        "status": "active",
        "areas": ["trade", "investment", "education", "culture"],
        "step": 7,
        "established": "2012-10-18",
        "strength": 7,
        "champion": {
            "name": "Mr Lwazi Gqirana",
            "title": "Executive Mayor's Office",
        },
        "summary": "Open export channels for Eastern Cape producers into "
        "Yiwu's wholesale markets and attract light-manufacturing investment "
        "to the East London IDZ.",
    },
    {
        "title": "Buffalo City – Walvis Bay partnership",
        "home": "Buffalo City",
        "counterparts": ["Walvis Bay"],
        "candidates": ["Walvis Bay", "Maputo"],
        "category": "mic",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["trade", "capacity", "environment"],
        "step": 6,
        "established": "2019-03-07",
        "strength": 5,
        "champion": {
            "name": "Ms Nomsa Tshangana",
            "title": "Director: Economic Development and Agencies",
        },
        "summary": "South-South cooperation between two port municipalities "
        "on port-city planning, fisheries value chains and coastal "
        "management.",
    },
    {
        "title": "Buffalo City – Halifax partnership",
        "home": "Buffalo City",
        "counterparts": ["Halifax"],
        "candidates": ["Halifax", "Bristol"],
        "category": "sister_city",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["education", "trade", "tourism"],
        "step": 5,
        "established": None,
        "strength": 4,
        "champion": {
            "name": "Prof Ayanda Ntsaluba",
            "title": "Chair, Buffalo City Twinning Committee",
        },
        "summary": "Plan student and staff exchanges between university towns "
        "and ocean-economy trade links between the two harbours.",
    },
    {
        "title": "Buffalo City – Pune partnership",
        "home": "Buffalo City",
        "counterparts": ["Pune"],
        "candidates": ["Pune", "Chennai"],
        "category": "mic",
        "phase": "commercial",
        "status": "active",
        "areas": ["trade", "investment", "research"],
        "step": 5,
        "established": None,
        "strength": 3,
        "champion": {
            "name": "Mr Sizwe Mahlangu",
            "title": "General Manager: Trade and Investment",
        },
        "summary": "Draft a business plan linking automotive component "
        "suppliers in both cities into shared value chains.",
    },
    {
        "title": "Buffalo City – Kobe partnership",
        "home": "Buffalo City",
        "counterparts": ["Kobe"],
        "candidates": ["Kobe", "Ningbo"],
        "category": "sister_city",
        "phase": "commercial",
        "status": "active",
        "areas": ["trade", "investment", "research"],
        "step": 4,
        "established": None,
        "strength": 3,
        "champion": {
            "name": "Cllr Thandi Mokoena",
            "title": "Portfolio Head: International Relations",
        },
        "summary": "Kobe was selected for its port, automotive supply base "
        "and disaster-resilience know-how; negotiations are about to begin.",
    },
    {
        "title": "Buffalo City – East African port partner search",
        "home": "Buffalo City",
        "counterparts": [],
        "candidates": ["Mombasa", "Maputo", "Beira"],
        "category": "mic",
        "phase": "associative",
        "status": "active",
        "areas": ["capacity", "trade", "environment"],
        "step": 3,
        "established": None,
        "strength": 2,
        "champion": {
            "name": "Ms Nomsa Tshangana",
            "title": "Director: Economic Development and Agencies",
        },
        "summary": "Due diligence on Indian Ocean port cities as partners for "
        "harbour management and coastal resilience.",
    },
    {
        "title": "Buffalo City – university town partner search",
        "home": "Buffalo City",
        "counterparts": [],
        "candidates": ["Leiden", "Delft", "Aachen"],
        "category": "sister_city",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["education", "research", "culture"],
        "step": 2,
        "established": None,
        "strength": 1,
        "champion": {
            "name": "Prof Ayanda Ntsaluba",
            "title": "Chair, Buffalo City Twinning Committee",
        },
        "summary": "Shortlist European university towns that can support "
        "local higher education and research institutions.",
    },
    {
        "title": "Buffalo City – agro-processing partnership strategy",
        "home": "Buffalo City",
        "counterparts": [],
        "candidates": [],
        "category": "decentralised",
        "phase": "associative",
        "status": "active",
        "areas": ["trade", "capacity"],
        "step": 1,
        "established": None,
        "strength": 1,
        "champion": {
            "name": "Mr Lwazi Gqirana",
            "title": "Executive Mayor's Office",
        },
        "summary": "Define why and with whom the metro should partner to grow "
        "rural agro-processing, in line with the IDP.",
    },
    {
        "title": "Buffalo City – Ghent partnership",
        "home": "Buffalo City",
        "counterparts": ["Ghent"],
        "candidates": ["Ghent", "Antwerp"],
        "category": "decentralised",
        "phase": "reciprocative",
        "status": "ended",
        "areas": ["capacity", "health", "governance"],
        "step": 8,
        "established": "2006-08-22",
        "strength": 4,
        "champion": {
            "name": "Ms Pumla Booi",
            "title": "Manager: Intergovernmental and International Relations",
        },
        "summary": "Donor-funded programme on primary health care and ward "
        "committees that closed when funding ended; lessons are being "
        "captured.",
    },
    # --- Cape Town ----------------------------------------------------------
    {
        "title": "Cape Town – Aachen partnership",
        "home": "Cape Town",
        "counterparts": ["Aachen"],
        "candidates": ["Aachen", "Leipzig"],
        "category": "sister_city",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["education", "research", "culture", "environment"],
        "step": 8,
        "established": "2000-11-04",
        "strength": 8,
        "champion": {
            "name": "Alderman Pieter van Wyk",
            "title": "Mayoral Committee Member: Economic Growth",
        },
        "summary": "Long-running twinning built on school, university and "
        "civil-society links, now reviewing results against agreed KPIs.",
    },
    {
        "title": "Cape Town – Hangzhou partnership",
        "home": "Cape Town",
        "counterparts": ["Hangzhou"],
        "candidates": ["Hangzhou", "Guangzhou"],
        "category": "sister_city",
        "phase": "commercial",
        "status": "active",
        "areas": ["trade", "tourism", "investment"],
        "step": 7,
        "established": "2005-08-18",
        "strength": 7,
        "champion": {
            "name": "Ms Farah Abrahams",
            "title": "Head: International Relations, Office of the Mayor",
        },
        "summary": "Promote tourism flows and digital-economy investment "
        "between two scenic, technology-minded cities.",
    },
    {
        "title": "Cape Town – Nice partnership",
        "home": "Cape Town",
        "counterparts": ["Nice"],
        "candidates": ["Nice", "Nantes"],
        "category": "sister_city",
        "phase": "associative",
        "status": "paused",
        "areas": ["tourism", "culture"],
        "step": 7,
        "established": "1998-06-20",
        "strength": 5,
        "champion": {
            "name": "Mr Jacques le Roux",
            "title": "Manager: Tourism and Events",
        },
        "summary": "Cultural and tourism exchange between two coastal resort "
        "cities, paused while the champion role is reassigned.",
    },
    {
        "title": "Cape Town – Maputo partnership",
        "home": "Cape Town",
        "counterparts": ["Maputo"],
        "candidates": ["Maputo", "Windhoek"],
        "category": "decentralised",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["capacity", "governance", "health"],
        "step": 6,
        "established": "2018-02-20",
        "strength": 5,
        "champion": {
            "name": "Ms Farah Abrahams",
            "title": "Head: International Relations, Office of the Mayor",
        },
        "summary": "Donor-supported MOU on municipal revenue systems, solid "
        "waste and clinic management for the Mozambican capital.",
    },
    {
        "title": "Cape Town – Rotterdam partnership",
        "home": "Cape Town",
        "counterparts": ["Rotterdam"],
        "candidates": ["Rotterdam", "Antwerp"],
        "category": "mic",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["environment", "capacity", "research"],
        "step": 5,
        "established": None,
        "strength": 4,
        "champion": {
            "name": "Dr Lindiwe Petersen",
            "title": "Director: Resilience",
        },
        "summary": "Plan joint work on water resilience, port energy "
        "transition and climate-proof neighbourhoods.",
    },
    {
        "title": "Cape Town – Salvador partnership",
        "home": "Cape Town",
        "counterparts": ["Salvador"],
        "candidates": ["Salvador", "Rosario"],
        "category": "sister_city",
        "phase": "associative",
        "status": "active",
        "areas": ["culture", "tourism", "migration"],
        "step": 4,
        "established": None,
        "strength": 3,
        "champion": {
            "name": "Mr Jacques le Roux",
            "title": "Manager: Tourism and Events",
        },
        "summary": "Salvador chosen for its shared Atlantic heritage, "
        "carnival culture and tourism potential.",
    },
    {
        "title": "Cape Town – US gateway partner evaluation",
        "home": "Cape Town",
        "counterparts": [],
        "candidates": ["Miami-Dade County", "Atlanta", "Chicago"],
        "category": "sister_city",
        "phase": "commercial",
        "status": "active",
        "areas": ["tourism", "investment", "trade"],
        "step": 3,
        "established": None,
        "strength": 2,
        "champion": {
            "name": "Alderman Pieter van Wyk",
            "title": "Mayoral Committee Member: Economic Growth",
        },
        "summary": "Assess US air and trade gateways as partners for direct "
        "flights, film and tourism marketing.",
    },
    {
        "title": "Cape Town – digital economy partner search",
        "home": "Cape Town",
        "counterparts": [],
        "candidates": ["Nairobi", "Bristol", "Pune"],
        "category": "mic",
        "phase": "commercial",
        "status": "active",
        "areas": ["research", "education", "investment"],
        "step": 2,
        "established": None,
        "strength": 1,
        "champion": {
            "name": "Ms Farah Abrahams",
            "title": "Head: International Relations, Office of the Mayor",
        },
        "summary": "Shortlist technology hubs for start-up exchange and digital skills programmes.",
    },
    {
        "title": "Cape Town – green economy partnership strategy",
        "home": "Cape Town",
        "counterparts": [],
        "candidates": [],
        "category": "mic",
        "phase": "associative",
        "status": "active",
        "areas": ["environment", "research"],
        "step": 1,
        "established": None,
        "strength": 1,
        "champion": {
            "name": "Dr Lindiwe Petersen",
            "title": "Director: Resilience",
        },
        "summary": "Set goals and selection criteria for partners in "
        "renewable energy and the circular economy.",
    },
    # --- Gävle (twinned with Buffalo City) ---------------------------------
    {
        "title": "Gävle – Rauma partnership",
        "home": "Gävle",
        "counterparts": ["Rauma"],
        "candidates": ["Rauma", "Næstved"],
        "category": "sister_city",
        "phase": "associative",
        "status": "active",
        "areas": ["culture", "education", "governance"],
        "step": 8,
        "established": "1948-05-15",
        "strength": 9,
        "champion": {
            "name": "Anna Sjöberg",
            "title": "Head of International Affairs, Gävle Municipality",
        },
        "summary": "Post-war Nordic friendship-town link sustained by school, "
        "sports and civic exchanges.",
    },
    {
        "title": "Gävle – Gjøvik partnership",
        "home": "Gävle",
        "counterparts": ["Gjøvik"],
        "candidates": ["Gjøvik", "Næstved"],
        "category": "sister_city",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["education", "culture", "environment"],
        "step": 7,
        "established": "1950-09-02",
        "strength": 8,
        "champion": {
            "name": "Erik Holmberg",
            "title": "Chair, Municipal Executive Committee",
        },
        "summary": "Nordic twinning focused on youth exchange, university "
        "cooperation and climate-friendly municipal services.",
    },
    {
        "title": "Gävle – Næstved partnership",
        "home": "Gävle",
        "counterparts": ["Næstved"],
        "candidates": ["Næstved", "Rauma"],
        "category": "sister_city",
        "phase": "associative",
        "status": "paused",
        "areas": ["culture", "governance"],
        "step": 6,
        "established": "1950-09-02",
        "strength": 5,
        "champion": {
            "name": "Anna Sjöberg",
            "title": "Head of International Affairs, Gävle Municipality",
        },
        "summary": "Renewed friendship agreement on civic and cultural visits, "
        "paused pending a new action plan.",
    },
    {
        "title": "Gävle – second African partner search",
        "home": "Gävle",
        "counterparts": [],
        "candidates": ["Mombasa", "Mbombela"],
        "category": "decentralised",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["environment", "capacity", "health"],
        "step": 2,
        "established": None,
        "strength": 1,
        "champion": {
            "name": "Erik Holmberg",
            "title": "Chair, Municipal Executive Committee",
        },
        "summary": "Build on the Buffalo City experience to find a second "
        "development partner for climate and water projects.",
    },
    # --- Johannesburg -------------------------------------------------------
    {
        "title": "Johannesburg – Birmingham partnership",
        "home": "Johannesburg",
        "counterparts": ["Birmingham"],
        "candidates": ["Birmingham", "Leeds"],
        "category": "sister_city",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["education", "culture", "trade", "governance"],
        "step": 8,
        "established": "2000-09-15",
        "strength": 6,
        "champion": {
            "name": "Cllr Bongani Khumalo",
            "title": "MMC: Economic Development",
        },
        "summary": "Twinning of two large, diverse inner cities on education "
        "links, diaspora business ties and urban regeneration.",
    },
    {
        "title": "Johannesburg – Windhoek partnership",
        "home": "Johannesburg",
        "counterparts": ["Windhoek"],
        "candidates": ["Windhoek", "Maputo"],
        "category": "mic",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["governance", "capacity", "migration"],
        "step": 6,
        "established": "2016-07-28",
        "strength": 5,
        "champion": {
            "name": "Ms Refilwe Sebola",
            "title": "Director: International and Intergovernmental Relations",
        },
        "summary": "MOU on informal settlement upgrading, water reuse and "
        "services for cross-border migrants.",
    },
    {
        "title": "Johannesburg – Chennai partnership",
        "home": "Johannesburg",
        "counterparts": ["Chennai"],
        "candidates": ["Chennai", "Pune"],
        "category": "sister_city",
        "phase": "commercial",
        "status": "active",
        "areas": ["trade", "investment", "migration"],
        "step": 4,
        "established": None,
        "strength": 3,
        "champion": {
            "name": "Cllr Bongani Khumalo",
            "title": "MMC: Economic Development",
        },
        "summary": "Chennai selected to deepen diaspora and business links in "
        "automotive and IT services.",
    },
    {
        "title": "Johannesburg – African market partner evaluation",
        "home": "Johannesburg",
        "counterparts": [],
        "candidates": ["Nairobi", "Kumasi"],
        "category": "mic",
        "phase": "commercial",
        "status": "paused",
        "areas": ["trade", "investment", "research"],
        "step": 3,
        "established": None,
        "strength": 2,
        "champion": {
            "name": "Ms Refilwe Sebola",
            "title": "Director: International and Intergovernmental Relations",
        },
        "summary": "Feasibility study on intra-African trade partners, paused "
        "until the new council term.",
    },
    # --- eThekwini ----------------------------------------------------------
    {
        "title": "eThekwini – Chicago partnership",
        "home": "eThekwini",
        "counterparts": ["Chicago"],
        "candidates": ["Chicago", "Atlanta"],
        "category": "sister_city",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["education", "health", "culture", "trade"],
        "step": 8,
        "established": "1997-04-11",
        "strength": 7,
        "champion": {
            "name": "Cllr Sibusiso Zulu",
            "title": "Chair, Economic Development and Planning Committee",
        },
        "summary": "Community-to-community link driven by volunteers, schools "
        "and health NGOs, now measured against agreed indicators.",
    },
    {
        "title": "eThekwini – Bremen partnership",
        "home": "eThekwini",
        "counterparts": ["Bremen"],
        "candidates": ["Bremen", "Rotterdam"],
        "category": "mic",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["environment", "capacity", "trade"],
        "step": 7,
        "established": "2011-11-03",
        "strength": 7,
        "champion": {
            "name": "Ms Priya Naidoo",
            "title": "Head: International and Governance Relations",
        },
        "summary": "Technical cooperation between two port cities on "
        "climate adaptation, waste and port logistics skills.",
    },
    {
        "title": "eThekwini – Guangzhou partnership",
        "home": "eThekwini",
        "counterparts": ["Guangzhou"],
        "candidates": ["Guangzhou", "Ningbo"],
        "category": "sister_city",
        "phase": "commercial",
        "status": "active",
        "areas": ["trade", "investment", "tourism"],
        "step": 7,
        "established": "2000-08-09",
        "strength": 6,
        "champion": {
            "name": "Cllr Sibusiso Zulu",
            "title": "Chair, Economic Development and Planning Committee",
        },
        "summary": "Trade fair participation and investment missions linking "
        "Durban exporters with Pearl River Delta buyers.",
    },
    {
        "title": "eThekwini – Nantes partnership",
        "home": "eThekwini",
        "counterparts": ["Nantes"],
        "candidates": ["Nantes", "Nice"],
        "category": "decentralised",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["capacity", "environment", "governance", "culture"],
        "step": 6,
        "established": "2013-10-24",
        "strength": 5,
        "champion": {
            "name": "Ms Priya Naidoo",
            "title": "Head: International and Governance Relations",
        },
        "summary": "Decentralised cooperation agreement on urban planning, "
        "waterfront renewal and cultural programming.",
    },
    # --- Nelson Mandela Bay -------------------------------------------------
    {
        "title": "Nelson Mandela Bay – Gothenburg partnership",
        "home": "Nelson Mandela Bay",
        "counterparts": ["Gothenburg"],
        "candidates": ["Gothenburg", "Gävle"],
        "category": "decentralised",
        "phase": "reciprocative",
        "status": "ended",
        "areas": ["capacity", "environment", "governance"],
        "step": 8,
        "established": "2003-03-19",
        "strength": 5,
        "champion": {
            "name": "Mr Andile Mgxaji",
            "title": "Manager: International Relations",
        },
        "summary": "Sida-funded municipal partnership on environmental "
        "management and public participation, closed after its final "
        "programme period.",
    },
    {
        "title": "Nelson Mandela Bay – Ningbo partnership",
        "home": "Nelson Mandela Bay",
        "counterparts": ["Ningbo"],
        "candidates": ["Ningbo", "Wuhan"],
        "category": "sister_city",
        "phase": "commercial",
        "status": "paused",
        "areas": ["trade", "investment"],
        "step": 5,
        "established": None,
        "strength": 3,
        "champion": {
            "name": "Cllr Nosipho Dyantyi",
            "title": "Portfolio Councillor: Economic Development",
        },
        "summary": "Business plan for port and automotive trade links, paused "
        "while the letter of intent is renegotiated.",
    },
    {
        "title": "Nelson Mandela Bay – UK partner search",
        "home": "Nelson Mandela Bay",
        "counterparts": [],
        "candidates": ["Glasgow", "Bristol"],
        "category": "mic",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["capacity", "health", "education"],
        "step": 2,
        "established": None,
        "strength": 1,
        "champion": {
            "name": "Mr Andile Mgxaji",
            "title": "Manager: International Relations",
        },
        "summary": "Shortlist UK cities with regeneration and public-health "
        "expertise relevant to the metro's northern areas.",
    },
    {
        "title": "Nelson Mandela Bay – tourism partnership strategy",
        "home": "Nelson Mandela Bay",
        "counterparts": [],
        "candidates": [],
        "category": "sister_city",
        "phase": "associative",
        "status": "active",
        "areas": ["tourism", "trade"],
        "step": 1,
        "established": None,
        "strength": 1,
        "champion": {
            "name": "Cllr Nosipho Dyantyi",
            "title": "Portfolio Councillor: Economic Development",
        },
        "summary": "Draft the twinning strategy for coastal and nature "
        "tourism partners linked to the IDP.",
    },
    # --- Tshwane ------------------------------------------------------------
    {
        "title": "Tshwane – Delft partnership",
        "home": "Tshwane",
        "counterparts": ["Delft"],
        "candidates": ["Delft", "Leiden"],
        "category": "mic",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["research", "education", "environment"],
        "step": 6,
        "established": "2017-05-09",
        "strength": 5,
        "champion": {
            "name": "Dr Mpho Rakgoale",
            "title": "Group Head: Economic Development and Spatial Planning",
        },
        "summary": "MOU linking university and municipal engineers on water "
        "technology and energy-efficient neighbourhoods.",
    },
    {
        "title": "Tshwane – Curitiba partnership",
        "home": "Tshwane",
        "counterparts": ["Curitiba"],
        "candidates": ["Curitiba", "Rosario"],
        "category": "mic",
        "phase": "associative",
        "status": "active",
        "areas": ["capacity", "governance", "environment"],
        "step": 4,
        "established": None,
        "strength": 3,
        "champion": {
            "name": "Dr Mpho Rakgoale",
            "title": "Group Head: Economic Development and Spatial Planning",
        },
        "summary": "Curitiba selected for its bus rapid transit and "
        "integrated land-use planning experience.",
    },
    {
        "title": "Tshwane – Flemish partner evaluation",
        "home": "Tshwane",
        "counterparts": [],
        "candidates": ["Ghent", "Antwerp"],
        "category": "decentralised",
        "phase": "reciprocative",
        "status": "active",
        "areas": ["capacity", "education", "health"],
        "step": 3,
        "established": None,
        "strength": 2,
        "champion": {
            "name": "Ms Karabo Molefe",
            "title": "Director: International Relations",
        },
        "summary": "Due diligence on Flemish cities offering development "
        "cooperation in education and primary health care.",
    },
]

# ---------------------------------------------------------------------------
# Demo users (passwords are set by the load_demo command, not here)
# ---------------------------------------------------------------------------

DEMO_USERS = [
    {
        "username": "admin",
        "email": "admin@example.org",
        "first_name": "Portal",
        "last_name": "Administrator",
        "role": "admin",
        "city": None,
    },
    {
        "username": "bc_officer",
        "email": "nomvula.dlamini@example.org",
        "first_name": "Nomvula",
        "last_name": "Dlamini",
        "role": "officer",
        "city": TWINNED_PAIR[0],
    },
    {
        "username": "gavle_officer",
        "email": "karin.lindqvist@example.org",
        "first_name": "Karin",
        "last_name": "Lindqvist",
        "role": "officer",
        "city": TWINNED_PAIR[1],
    },
    {
        "username": "bc_coordinator",
        "email": "sipho.ndlovu@example.org",
        "first_name": "Sipho",
        "last_name": "Ndlovu",
        "role": "coordinator",
        "city": "Buffalo City",
    },
    {
        "username": "bkcb_member",
        "email": "anele.jacobs@example.org",
        "first_name": "Anele",
        "last_name": "Jacobs",
        "role": "chamber",
        "city": "Buffalo City",
        "association": "Border-Kei Chamber of Business",
    },
]

# ---------------------------------------------------------------------------
# Activity, KPI and strategy templates
# ---------------------------------------------------------------------------

ACTIVITY_KINDS = (
    "exchange_visit",
    "trade_mission",
    "cultural_event",
    "communication",
    "community_event",
    "marketing",
    "conflict_resolution",
    "sub_alliance_formed",
)

ACTIVITY_TEMPLATES = [
    ("exchange_visit", "Municipal officials' study visit"),
    ("exchange_visit", "Student and teacher exchange"),
    ("exchange_visit", "Mayoral delegation visit"),
    ("trade_mission", "Outbound trade mission with chamber members"),
    ("trade_mission", "Inbound investor delegation"),
    ("cultural_event", "Partner-city music and arts festival"),
    ("cultural_event", "Twinning anniversary celebration"),
    ("communication", "Quarterly joint steering committee call"),
    ("communication", "Partnership newsletter to stakeholders"),
    ("community_event", "Youth sports tournament"),
    ("community_event", "Public information evening on the partnership"),
    ("marketing", "Media release and social media campaign"),
    ("marketing", "Partner-city stand at an international trade fair"),
    ("conflict_resolution", "Mediation meeting on delayed project funding"),
    ("sub_alliance_formed", "University-to-university research agreement"),
    ("sub_alliance_formed", "Chamber-to-chamber cooperation agreement"),
]

KPI_TEMPLATES = [
    {"name": "Student exchanges per year", "unit": "students", "baseline": 0, "target": 20},
    {"name": "Official exchange visits per year", "unit": "visits", "baseline": 1, "target": 4},
    {
        "name": "Businesses taking part in trade missions",
        "unit": "firms",
        "baseline": 0,
        "target": 15,
    },
    {"name": "Export value facilitated", "unit": "ZAR million", "baseline": 0, "target": 25},
    {"name": "Sub-alliances formed", "unit": "agreements", "baseline": 0, "target": 5},
    {"name": "Municipal staff trained", "unit": "staff", "baseline": 0, "target": 40},
    {
        "name": "Tourist arrivals from partner city",
        "unit": "visitors",
        "baseline": 500,
        "target": 1500,
    },
    {"name": "Community events held", "unit": "events", "baseline": 0, "target": 6},
    {"name": "Media mentions of the partnership", "unit": "mentions", "baseline": 2, "target": 24},
    {
        "name": "Relationship strength (Lendrum scale)",
        "unit": "score 0-10",
        "baseline": 3,
        "target": 8,
    },
]

STRATEGY_CRITERIA = [
    {
        "name": "Complementary economy",
        "description": "The partner's economic strengths fill gaps in ours, "
        "opening trade, investment and supplier links.",
        "weight": 5,
    },
    {
        "name": "Similar size and challenges",
        "description": "Comparable population and municipal mandate, so that "
        "solutions and officials can be exchanged on equal terms.",
        "weight": 3,
    },
    {
        "name": "Existing community ties",
        "description": "Diaspora, university, church, school or business "
        "links that already connect the two communities.",
        "weight": 4,
    },
    {
        "name": "Shared port and logistics interests",
        "description": "Both cities depend on a port or transport corridor "
        "and can cooperate on logistics and maritime skills.",
        "weight": 3,
    },
    {
        "name": "Commitment of leadership",
        "description": "A named political champion and senior management on "
        "both sides willing to commit time and budget over several terms.",
        "weight": 5,
    },
]


# ---------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------


def validate():
    """Assert the invariants of the demo data set."""
    import re
    from collections import Counter

    city_keys = {
        "name",
        "province",
        "country",
        "kind",
        "population",
        "lat",
        "lon",
        "global_region",
        "website",
        "sectors",
        "profile",
        "development_plan",
    }
    assert len(CITIES) >= 48, len(CITIES)
    triples = [(c["name"], c["province"], c["country"]) for c in CITIES]
    assert len(set(triples)) == len(triples), "duplicate (name, province, country)"
    names = [c["name"] for c in CITIES]
    dupes = [n for n, k in Counter(names).items() if k > 1]
    assert not dupes, f"ambiguous city names: {dupes}"
    by_name = {c["name"]: c for c in CITIES}
    for c in CITIES:
        assert set(c) == city_keys, (c["name"], set(c) ^ city_keys)
        assert re.fullmatch(r"[A-Z]{2}", c["country"]), c["name"]
        assert c["kind"] in KIND_CODES, c["name"]
        assert isinstance(c["population"], int) and c["population"] > 0, c["name"]
        assert isinstance(c["lat"], float) and -90 <= c["lat"] <= 90, c["name"]
        assert isinstance(c["lon"], float) and -180 <= c["lon"] <= 180, c["name"]
        assert c["global_region"] in ("north", "south"), c["name"]
        assert c["website"].startswith("https://"), c["name"]
        assert 2 <= len(c["sectors"]) <= 4, c["name"]
        assert len(set(c["sectors"])) == len(c["sectors"]), c["name"]
        assert all(s in "ABCDEFGHIJKLMNOPQRSTU" and len(s) == 1 for s in c["sectors"]), c["name"]
        assert c["profile"] and c["development_plan"], c["name"]
    countries = {c["country"] for c in CITIES}
    assert len(countries) >= 18, len(countries)
    # Global North/South must be consistent per country.
    region_of = {}
    for c in CITIES:
        assert region_of.setdefault(c["country"], c["global_region"]) == c["global_region"], c[
            "name"
        ]

    p_keys = {
        "title",
        "home",
        "counterparts",
        "candidates",
        "category",
        "phase",
        "status",
        "areas",
        "step",
        "established",
        "strength",
        "champion",
        "summary",
    }
    assert len(PARTNERSHIPS) >= 30, len(PARTNERSHIPS)
    titles = [p["title"] for p in PARTNERSHIPS]
    assert len(set(titles)) == len(titles), "duplicate titles"
    for p in PARTNERSHIPS:
        t = p["title"]
        assert set(p) == p_keys, (t, set(p) ^ p_keys)
        assert " – " in t, t
        assert p["home"] in by_name, t
        for n in p["counterparts"] + p["candidates"]:
            assert n in by_name, (t, n)
            assert n != p["home"], t
        assert len(set(p["candidates"])) == len(p["candidates"]), t
        assert p["category"] in CATEGORY_CODES, t
        assert p["phase"] in PHASE_CODES, t
        assert p["status"] in STATUS_CODES, t
        assert 2 <= len(p["areas"]) <= 4, t
        assert len(set(p["areas"])) == len(p["areas"]), t
        assert all(a in AREA_CODES for a in p["areas"]), t
        step = p["step"]
        assert isinstance(step, int) and 1 <= step <= 8, t
        if step <= 3:
            assert p["counterparts"] == [], t
        else:
            assert len(p["counterparts"]) >= 1, t
            assert set(p["counterparts"]) <= set(p["candidates"]), t
            extra = len(set(p["candidates"]) - set(p["counterparts"]))
            assert 1 <= extra <= 2, t
        if step == 4:
            assert len(p["counterparts"]) == 1, t
        if step >= 2:
            assert len(p["candidates"]) >= 1, t
        if step >= 6:
            assert isinstance(p["established"], str), t
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", p["established"]), t
        else:
            assert p["established"] is None, t
        assert isinstance(p["strength"], int) and 0 <= p["strength"] <= 10, t
        assert set(p["champion"]) == {"name", "title"}, t
        assert p["champion"]["name"] and p["champion"]["title"], t
        assert p["summary"], t

    steps = Counter(p["step"] for p in PARTNERSHIPS)
    for s in range(1, 9):
        assert steps[s] >= 3, (s, steps[s])
    cats = Counter(p["category"] for p in PARTNERSHIPS)
    for cat in CATEGORY_CODES:
        assert cats[cat] >= 6, (cat, cats[cat])
    statuses = Counter(p["status"] for p in PARTNERSHIPS)
    assert statuses["active"] > len(PARTNERSHIPS) / 2, statuses
    assert statuses["paused"] >= 1 and 1 <= statuses["ended"] <= 2, statuses
    homes = [p["home"] for p in PARTNERSHIPS]
    assert 6 <= len(set(homes)) <= 8, set(homes)
    assert list(dict.fromkeys(homes))[:2] == ["Buffalo City", "Cape Town"], homes

    # Twinned pair: exactly one Buffalo City -> X record at step >= 6, and X
    # is itself a home city of at least one other partnership.
    home_a, x = TWINNED_PAIR
    assert home_a == "Buffalo City" and x in by_name
    pair = [p for p in PARTNERSHIPS if p["home"] == home_a and x in p["counterparts"]]
    assert len(pair) == 1 and pair[0]["step"] >= 6, pair
    assert any(p["home"] == x for p in PARTNERSHIPS), x

    roles = Counter(u["role"] for u in DEMO_USERS)
    assert roles == {"admin": 1, "officer": 2, "coordinator": 1, "chamber": 1}, roles
    user_keys = {"username", "email", "first_name", "last_name", "role", "city"}
    assert len({u["username"] for u in DEMO_USERS}) == len(DEMO_USERS)
    for u in DEMO_USERS:
        extra = {"association"} if u["role"] == "chamber" else set()
        assert set(u) == user_keys | extra, u["username"]
        if u["role"] == "admin":
            assert u["city"] is None
        else:
            assert u["city"] in by_name, u["username"]
    assert {u["city"] for u in DEMO_USERS if u["role"] == "officer"} == set(TWINNED_PAIR)

    assert len(ACTIVITY_TEMPLATES) >= 12
    for kind, title in ACTIVITY_TEMPLATES:
        assert kind in ACTIVITY_KINDS and title, (kind, title)
    assert len(KPI_TEMPLATES) >= 8
    for k in KPI_TEMPLATES:
        assert set(k) == {"name", "unit", "baseline", "target"}, k
        assert isinstance(k["baseline"], (int, float)) and isinstance(k["target"], (int, float)), k
    assert len(STRATEGY_CRITERIA) == 5
    for c in STRATEGY_CRITERIA:
        assert set(c) == {"name", "description", "weight"}, c
        assert isinstance(c["weight"], int) and 1 <= c["weight"] <= 5, c
    return True
