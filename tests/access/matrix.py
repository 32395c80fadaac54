"""Who may reach every named URL: the table the permission matrix tests
(tests/access/test_permission_matrix.py), which the query budgets
(tests/partnerships/test_query_budgets.py) read to pick a role allowed on each page.

Roles (tests.worlds.build_matrix_world gives each a user):

- anonymous;
- officer_a: an officer of the home city A of partnership P (A–B, private);
- officer_b: an officer of B, the twinned counterpart: joint owner of P;
- officer_c: an officer of an unrelated city C (P is none of theirs: 404);
- coordinator_a: a coordinator of A (officers' management, strategy editing);
- plain: a signed-in user who works for no city and no chamber: an account without a role;
- chamber: approved staff of a business association of A (no city either);
- chamber_other: approved staff of an association of the unrelated city C: what holds for
  any chamber (its own home, its own businesses) holds for it, what is A's chamber's (its
  business, its interest, its sub-alliance) does not;
- pending: a chamber sign-up waiting for approval; rejected: one an officer turned down. An
  account without a role (plain, pending, rejected) sees what an anonymous visitor sees: it
  is sent to its status page from everywhere but that page and the open pages (OPEN);
- admin: a superuser.
"""

# The outcome dicts below are written for these; "chamber", "pending" and "rejected" are added
# to every entry by `_with_chamber_roles` (after MATRIX) unless an entry names them, and "plain"
# becomes "status" where the page is not open to accounts without a role.
CORE_ROLES = ["anonymous", "officer_a", "officer_b", "officer_c", "coordinator_a", "plain", "admin"]
ROLES = [*CORE_ROLES[:-1], "chamber", "chamber_other", "pending", "rejected", "admin"]

# Outcomes: a status code, "login" for a redirect to the login page, or "status" for a
# redirect to the status page of an account without a role.
PUBLIC = dict.fromkeys(CORE_ROLES, 200)
SIGNED_IN = {**dict.fromkeys(CORE_ROLES, 200), "anonymous": "login"}
MEMBERS = {
    "anonymous": "login",
    "officer_a": 200,
    "officer_b": 200,
    "officer_c": 404,
    "coordinator_a": 200,
    "plain": 404,
    "admin": 200,
}
COORDINATORS_OF_A = {**MEMBERS, "officer_a": 404, "officer_b": 404}
POST_ONLY = {**dict.fromkeys(CORE_ROLES, 405), "anonymous": "login"}
POST_MEMBERS = {**MEMBERS, "officer_a": 302, "officer_b": 302, "coordinator_a": 302, "admin": 302}

# name: (expected on GET, expected on an empty POST or None when POST is not a use of it)
MATRIX = {
    "healthz": (PUBLIC, None),
    "readyz": (PUBLIC, None),
    # Browsers ask every page's /favicon.ico: a redirect to the static icon, for everyone.
    "favicon": ({**dict.fromkeys(ROLES, 302)}, None),
    "login": (PUBLIC, None),
    "logout": ({**dict.fromkeys(ROLES, 405)}, None),
    "password_change": (SIGNED_IN, None),
    "password_change_done": (SIGNED_IN, None),
    "password_reset": (PUBLIC, None),
    "password_reset_done": (PUBLIC, None),
    "password_reset_confirm": (PUBLIC, None),
    "password_reset_complete": (PUBLIC, None),
    # Chamber staff are sent to their own home (businesses:chamber_home).
    "partnerships:dashboard": ({**SIGNED_IN, "chamber": 302, "chamber_other": 302}, None),
    "partnerships:list": (SIGNED_IN, None),
    # The portal's search: for anyone with a role, each kind of result filtered by who it is
    # (tests/search/); an account without one is sent to its status page, a visitor to log in.
    "core:search": (SIGNED_IN, None),
    # Only someone working for a city has a home city to start a partnership from.
    "partnerships:create": ({**SIGNED_IN, "plain": 404}, None),
    # Saved views of the list (the world's is officer_a's, shared with A): anyone who has the
    # list saves views and picks a default; an empty POST is refused with a message (302).
    "partnerships:saved_view_save": (
        POST_ONLY,
        {**dict.fromkeys(CORE_ROLES, 302), "anonymous": "login"},
    ),
    "partnerships:saved_view_default": (
        POST_ONLY,
        {**dict.fromkeys(CORE_ROLES, 302), "anonymous": "login"},
    ),
    # Bulk actions on the list: anyone who has the list posts them (each row is checked on
    # its own: what they may not see is reported "not found"); an empty POST is refused with
    # a message on the list (302). The report of the session's last one is a page of its own.
    "partnerships:bulk": (POST_ONLY, {**dict.fromkeys(CORE_ROLES, 302), "anonymous": "login"}),
    "partnerships:bulk_report": (SIGNED_IN, None),
    # Only its owner deletes it; A's other officers, who use it, are told so (302); for
    # everyone else it does not exist.
    "partnerships:saved_view_delete": (
        POST_ONLY,
        {
            **dict.fromkeys(CORE_ROLES, 404),
            "anonymous": "login",
            "officer_a": 302,
            "coordinator_a": 302,
        },
    ),
    "partnerships:detail": (MEMBERS, None),
    "partnerships:edit": (MEMBERS, {**MEMBERS}),
    "partnerships:advance": (POST_ONLY, POST_MEMBERS),
    "partnerships:return": (MEMBERS, None),
    "partnerships:confirm": (POST_ONLY, POST_MEMBERS),
    "partnerships:champion_add": (MEMBERS, {**MEMBERS}),
    # The joint sign-off given outside the portal (P at selection; the world holds one
    # recorded for B before officer_b joined). Recording is for the home side's officers (A):
    # anyone else who may see P is sent back to it with a message, admins included (they
    # are no city's side); an empty POST re-shows the form with its errors.
    "partnerships:offline_record": (
        {**MEMBERS, "officer_b": 302, "admin": 302},
        {**MEMBERS, "officer_b": 302, "admin": 302},
    ),
    # Endorsing or disputing is for the officers of the city it was given for (B); the others
    # who may see P get a message. An empty POST endorses (B) or shows the form's error.
    "partnerships:offline_endorse": (POST_ONLY, POST_MEMBERS),
    "partnerships:offline_dispute": (
        {**MEMBERS, "officer_a": 302, "coordinator_a": 302, "admin": 302},
        {**MEMBERS, "officer_a": 302, "coordinator_a": 302, "admin": 302},
    ),
    # A side's officers show or hide their own contacts in the registry: an empty POST names
    # no city (404 for everyone, as for a city that is not a member).
    "partnerships:publish_contacts": (
        POST_ONLY,
        {**MEMBERS, "officer_a": 404, "officer_b": 404, "coordinator_a": 404, "admin": 404},
    ),
    "partnerships:document": (MEMBERS, None),
    "partnerships:search": (MEMBERS, None),
    "partnerships:candidate_add": (POST_ONLY, POST_MEMBERS),
    "partnerships:candidate": (MEMBERS, None),
    "partnerships:contact_add": (MEMBERS, {**MEMBERS}),
    "partnerships:due_diligence": (MEMBERS, {**MEMBERS}),
    "partnerships:feasibility": (MEMBERS, {**MEMBERS}),
    "partnerships:selection": (MEMBERS, {**MEMBERS}),
    "partnerships:letter_of_intent": (MEMBERS, {**MEMBERS}),
    "partnerships:business_plan": (MEMBERS, {**MEMBERS}),
    "partnerships:action_add": (MEMBERS, {**MEMBERS}),
    "partnerships:action_status": (POST_ONLY, None),
    "partnerships:kpi_add": (MEMBERS, {**MEMBERS}),
    "partnerships:mou": (MEMBERS, {**MEMBERS}),
    "partnerships:mou_sign": (POST_ONLY, POST_MEMBERS),
    "partnerships:activity_add": (MEMBERS, {**MEMBERS}),
    "partnerships:review_add": (MEMBERS, {**MEMBERS}),
    "partnerships:lesson_add": (MEMBERS, {**MEMBERS}),
    # Step 8: a review's page (an empty POST re-shows the draft's form with its errors), its
    # completion (POST only, the same form), the knowledge base of the lessons each user may
    # see, and adopting a lesson into the strategy: coordinators of its home city and admins.
    "partnerships:review": (MEMBERS, {**MEMBERS}),
    "partnerships:review_complete": (POST_ONLY, {**MEMBERS}),
    "partnerships:lessons": (SIGNED_IN, None),
    "partnerships:lesson_adopt": (
        POST_ONLY,
        {**COORDINATORS_OF_A, "coordinator_a": 302, "admin": 302},
    ),
    "partnerships:city_list": (SIGNED_IN, None),
    "partnerships:city_detail": (SIGNED_IN, None),
    "partnerships:strategy": (SIGNED_IN, None),
    "partnerships:strategy_approve": (
        POST_ONLY,
        {**COORDINATORS_OF_A, "coordinator_a": 302, "admin": 302},
    ),
    # An empty POST names no action: a 400 with a message for those allowed.
    "partnerships:officers": (
        COORDINATORS_OF_A,
        {**COORDINATORS_OF_A, "coordinator_a": 400, "admin": 400},
    ),
    # Reports: everyone signed in has a page (no city: exports only); exports hold only the
    # user's own portfolio; the import is for coordinators (of any city) and admins, an empty
    # POST re-shows the form with its error; the dossier for whoever may open the partnership.
    "partnerships:reports": (SIGNED_IN, None),
    "partnerships:export": (SIGNED_IN, None),
    "partnerships:cities_import": (COORDINATORS_OF_A, COORDINATORS_OF_A),
    "partnerships:dossier": (MEMBERS, None),
}

# Notifications (reminders): a person's own only — another's is a 404, admins included (the
# world holds one of officer_a's). The calendar feed needs no login: its address is the
# secret, and the world's token is nobody's (404).
ANYONE_SIGNED_IN_302 = {**dict.fromkeys(ROLES, 302), "anonymous": "login"}
OWN = {**dict.fromkeys(ROLES, 404), "anonymous": "login", "officer_a": 200}
MATRIX.update(
    {
        "notifications:list": (SIGNED_IN, None),
        "notifications:read_all": (POST_ONLY, ANYONE_SIGNED_IN_302),
        "notifications:read": (POST_ONLY, {**OWN, "officer_a": 302}),
        "notifications:snooze": (OWN, OWN),  # an empty POST: the form's errors
        "notifications:preferences": (SIGNED_IN, SIGNED_IN),
        "notifications:calendar": (SIGNED_IN, None),
        # Following a partnership: whoever may open it; an empty POST shows the form's error.
        "notifications:follow": (MEMBERS, MEMBERS),
        "notifications:calendar_renew": (POST_ONLY, ANYONE_SIGNED_IN_302),
        "notifications:calendar_revoke": (POST_ONLY, ANYONE_SIGNED_IN_302),
        "notifications:calendar_feed": (dict.fromkeys(ROLES, 404), None),
    }
)

# --- The chamber issue: chamber staff, sign-ups, businesses, interest, leads, matchmaking,
# outcomes, the public registry (businesses:*) and sub-alliances (alliances:*).
NOBODY = {**dict.fromkeys(CORE_ROLES, 404), "anonymous": "login"}
CHAMBER = {**NOBODY, "chamber": 200, "admin": 200}  # approved staff (and admins) only
OFFICERS = {**NOBODY, **dict.fromkeys(["officer_a", "officer_b", "officer_c"], 200)}
OFFICERS = {**OFFICERS, "coordinator_a": 200, "admin": 200}  # anyone working for a city
OF_A = {**NOBODY, "officer_a": 200, "coordinator_a": 200, "admin": 200}  # A's officers
MATRIX.update(
    {
        "businesses:signup": (PUBLIC, PUBLIC),  # officers get a page saying why not
        "businesses:status": (SIGNED_IN, None),
        "businesses:staff_requests": (OFFICERS, None),  # each sees their cities' requests
        "businesses:staff_request_decide": (OF_A, OF_A),  # a request to join A's chamber
        "businesses:business_list": (OFFICERS | {"chamber": 200}, None),
        "businesses:business_create": (CHAMBER, CHAMBER),
        "businesses:business_import": (CHAMBER, CHAMBER),
        "businesses:business_import_template": (CHAMBER, None),
        # A business of A: its chamber, and officers of A and of A's partner city B.
        "businesses:business_detail": (MEMBERS | {"chamber": 200}, None),
        "businesses:business_edit": (CHAMBER, CHAMBER),
        # The public registry (of a published partnership with a signed MOU): no login.
        "businesses:registry": (PUBLIC, None),
        "businesses:registry_detail": (PUBLIC, None),
        "businesses:registry_mou": (PUBLIC, None),
        "businesses:my_registrations": (CHAMBER, None),
        "businesses:interest_register": (CHAMBER, CHAMBER),
        "businesses:interest_withdraw": (POST_ONLY, {**NOBODY, "chamber": 302, "admin": 302}),
        "businesses:interest_inbox": (MEMBERS, None),
        "businesses:interest_decide": (MEMBERS, {**MEMBERS}),  # interest registered in P
        "businesses:lead_list": (OFFICERS, None),
        "businesses:lead_propose": (CHAMBER, CHAMBER),
        "businesses:lead_decide": (OF_A, OF_A),  # a lead of A's chamber, for A's search
        "businesses:matchmaking": (MEMBERS, None),
        "businesses:matchmaking_form": (POST_ONLY, POST_MEMBERS),
        # A's chamber takes part in the world's business sub-alliance: it records outcomes.
        "businesses:outcome_record": (MEMBERS | {"chamber": 200}, MEMBERS | {"chamber": 200}),
        # Sub-alliances are the partnership's own record: its member cities' officers.
        "alliances:partnership_sub_alliances": (MEMBERS, None),
        "alliances:sub_alliance_create": (MEMBERS, {**MEMBERS}),
        "alliances:organisation_add": (MEMBERS, {**MEMBERS}),
        "alliances:sub_alliance_detail": (MEMBERS, None),
        "alliances:strength": (MEMBERS, {**MEMBERS}),
        # An empty POST is a valid "not done" (every field is optional): saved, redirected.
        "alliances:startup_task": (MEMBERS, POST_MEMBERS),
        "alliances:measure_add": (MEMBERS, {**MEMBERS}),
        "alliances:measure_edit": (OF_A, OF_A),  # A's own measure: only A's side changes it
    }
)

# The chamber's workspace: its home (any approved staff: their own), and the sub-alliances its
# businesses take part in (A's chamber's business is a party to the world's one).
MATRIX.update(
    {
        "businesses:chamber_home": ({**NOBODY, "chamber": 200, "chamber_other": 200}, None),
        "businesses:chamber_sub_alliance": ({**NOBODY, "chamber": 200, "admin": 200}, None),
    }
)

# The chamber's matchmaking (issue 15, matches part): its own businesses' matches in P (A's
# chamber: P is of its city), proposing one (an empty POST: the page of the proposal with its
# error), its proposals; withdrawing the world's proposal (A's chamber's); the officers of P's
# cities decide it (an empty POST: the form's errors).
MATRIX.update(
    {
        "businesses:chamber_matches": (CHAMBER, None),
        "businesses:match_propose": (POST_ONLY, CHAMBER),
        "businesses:my_match_proposals": (CHAMBER, None),
        "businesses:match_withdraw": (POST_ONLY, {**NOBODY, "chamber": 302, "admin": 302}),
        "businesses:match_decide": (MEMBERS, {**MEMBERS}),
    }
)

# Adding a partner city from the gazetteer: anyone working for a city, and admins; an empty
# POST chooses no place (the search page again, with a message).
MATRIX.update({"partnerships:city_add": (OFFICERS, OFFICERS)})

# The discussion: a record's thread is for whoever may see the record (a GET is the whole thread
# with its form, an empty POST re-shows the form with its error). The world's comment is
# officer_a's: only its writer edits it (an empty POST: the form's error), its writer or an
# admin removes it.
MATRIX.update(
    {
        "discussion:partnership_thread": (MEMBERS, {**MEMBERS}),
        "discussion:sub_alliance_thread": (MEMBERS, {**MEMBERS}),
        "discussion:comment_edit": (POST_ONLY, {**NOBODY, "officer_a": 200}),
        "discussion:comment_remove": (POST_ONLY, {**NOBODY, "officer_a": 302, "admin": 302}),
    }
)

# Scheduled activities (agenda:*): one's own for anyone signed in; a record's for whoever may
# see it (an empty POST: the schedule form's errors); the world's activity is officer_a's call
# for officer_b, which its assignee and P's editors complete (an empty POST: the form's error)
# or cancel.
MATRIX.update(
    {
        "agenda:mine": (SIGNED_IN, None),
        "agenda:partnership": (MEMBERS, {**MEMBERS}),
        "agenda:sub_alliance": (MEMBERS, {**MEMBERS}),
        "agenda:complete": (MEMBERS, {**MEMBERS}),
        "agenda:cancel": (POST_ONLY, POST_MEMBERS),
    }
)

# Invitations and requests to join a city (invitations:*). The world's invitation is
# coordinator_a's to A (its sender, A's coordinators and admins resend or revoke it); its key
# opens the accept page for everyone (signed in with another address: a page saying so; an
# empty POST: the form's errors or that page); the request to join is to A.
MATRIX.update(
    {
        "invitations:city_invite": (COORDINATORS_OF_A, COORDINATORS_OF_A),
        "invitations:partnership_invite": (MEMBERS, {**MEMBERS}),
        "invitations:resend": (POST_ONLY, {**NOBODY, "coordinator_a": 302, "admin": 302}),
        "invitations:revoke": (POST_ONLY, {**NOBODY, "coordinator_a": 302, "admin": 302}),
        "invitations:accept": (PUBLIC, PUBLIC),
        "invitations:join": (PUBLIC, PUBLIC),
        "invitations:join_decide": (COORDINATORS_OF_A, COORDINATORS_OF_A),
    }
)

# One's own account and its language: every signed-in person (an empty form is valid: every field
# may be blank); the switcher sets a cookie and goes back, for visitors too.
MATRIX.update(
    {
        "accounts:account": (SIGNED_IN, {**dict.fromkeys(CORE_ROLES, 302), "anonymous": "login"}),
        "accounts:language": (dict.fromkeys(CORE_ROLES, 302), dict.fromkeys(CORE_ROLES, 302)),
    }
)

# Personal API tokens on the account page: creating (an empty POST: the form's errors, 400) and
# revoking one's own (the world's token is officer_a's: anyone else's is a 404, admins' too).
MATRIX.update(
    {
        "accounts:token_create": (
            {**dict.fromkeys(CORE_ROLES, 405), "anonymous": "login"},
            {**dict.fromkeys(CORE_ROLES, 400), "anonymous": "login"},
        ),
        "accounts:token_revoke": (
            {**dict.fromkeys(CORE_ROLES, 405), "anonymous": "login"},
            {**dict.fromkeys(CORE_ROLES, 404), "anonymous": "login", "officer_a": 302},
        ),
    }
)

# The REST API (api/, issue 17). It answers for itself: anonymous requests to anything but the
# registry and the schema are a 401 (no redirect to the login page), and accounts without a
# role are not sent to their status page (every API route is open to them, api/apps.py): the
# API answers them as it answers a visitor (401; the registry and the schema, 200). The
# partnership's records follow the partnership (MEMBERS, as JSON: 404 for another city's). A
# route that only writes answers a GET with 405 once signed in; an empty POST is a form, not
# JSON: 415 for those who may write there (the writes themselves are tested in tests/api).
API_PUBLIC = dict.fromkeys(CORE_ROLES, 200)
# Chamber staff have a role: signed in, they are answered as the other roles without a city.
_WITH_A_ROLE = ("chamber", "chamber_other")
API_SIGNED_IN = {**API_PUBLIC, "anonymous": 401, "plain": 401, **dict.fromkeys(_WITH_A_ROLE, 200)}
API_MEMBERS = {**MEMBERS, "anonymous": 401, "plain": 401, **dict.fromkeys(_WITH_A_ROLE, 404)}
API_POST_ONLY = {
    **dict.fromkeys(CORE_ROLES, 405),
    "anonymous": 401,
    "plain": 401,
    **dict.fromkeys(_WITH_A_ROLE, 405),
}
API_POST_MEMBERS = {
    **API_MEMBERS,
    **dict.fromkeys(["officer_a", "officer_b", "coordinator_a", "admin"], 415),
}
# A's chamber's business is a party to the world's sub-alliance: its staff read and record its
# outcomes; another city's chamber gets a 404.
API_SUB_ALLIANCE = {**API_MEMBERS, "chamber": 200}
MATRIX.update(
    {
        "api:schema": (API_PUBLIC, None),
        "api:docs": (API_PUBLIC, None),
        "api:redoc": (API_PUBLIC, None),
        "api:me": (API_SIGNED_IN, None),
        "api:partnership_list": (API_SIGNED_IN, None),
        "api:partnership_geojson": (API_SIGNED_IN, None),
        "api:partnership_detail": (API_MEMBERS, None),
        "api:partnership_advance": (API_POST_ONLY, API_POST_MEMBERS),
        "api:partnership_return": (API_POST_ONLY, API_POST_MEMBERS),
        "api:partnership_mous": (API_MEMBERS, None),
        "api:partnership_reviews": (API_MEMBERS, None),
        "api:review_kpi_actuals": (API_POST_ONLY, API_POST_MEMBERS),
        "api:partnership_activities": (API_MEMBERS, API_POST_MEMBERS),
        "api:partnership_sub_alliances": (API_MEMBERS, None),
        "api:partnership_outcomes": (API_MEMBERS, None),
        "api:partnership_lessons": (API_MEMBERS, None),
        "api:partnership_comments": (API_MEMBERS, API_POST_MEMBERS),
        "api:sub_alliance_outcomes": (
            API_SUB_ALLIANCE,
            {**API_POST_MEMBERS, "chamber": 415},
        ),
        "api:city_list": (API_SIGNED_IN, None),
        "api:city_geojson": (API_SIGNED_IN, None),
        "api:city_detail": (API_SIGNED_IN, None),
        "api:registry_list": (API_PUBLIC, None),
        "api:registry_detail": (API_PUBLIC, None),
    }
)

# What a pending chamber account may reach (everything else redirects it to its status page).
# What an account without a role may reach (core.access.OPEN_VIEWS and the apps' open views).
OPEN = {
    "businesses:status",
    "logout",
    "password_change",
    "password_change_done",
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "readyz",
    "favicon",
    "businesses:signup",
    "businesses:registry",
    "businesses:registry_detail",
    "businesses:registry_mou",
    "notifications:calendar_feed",
    "invitations:accept",
    "invitations:join",
    "accounts:account",
    "accounts:language",
    # The API: every route (it answers for itself, see above).
    *(name for name in MATRIX if name.startswith("api:")),
}


# Pages each chamber has of its own (its businesses, its interest, its proposals): another
# city's chamber reaches them as A's does.
ANY_CHAMBER = {
    "businesses:business_list",
    "businesses:business_create",
    "businesses:business_import",
    "businesses:business_import_template",
    "businesses:my_registrations",
    "businesses:interest_register",
    "businesses:lead_propose",
    "businesses:my_match_proposals",
}


def _with_chamber_roles(name: str, outcomes: dict | None) -> dict | None:
    """Chamber staff are signed-in users without a city wherever an entry does not say
    otherwise (P is private); an account without a role gets its status page, but on the
    pages open to it."""
    if outcomes is None:
        return None
    outcomes = {**outcomes}
    outcomes.setdefault("chamber", outcomes["plain"])
    # Another city's chamber: what is open to any chamber, not what is A's chamber's own.
    outcomes.setdefault(
        "chamber_other", outcomes["chamber"] if name in ANY_CHAMBER else outcomes["plain"]
    )
    for role_less in ("plain", "pending", "rejected"):
        if name in OPEN:
            outcomes.setdefault(role_less, outcomes["plain"])
        else:
            outcomes[role_less] = "status"
    return outcomes


MATRIX = {
    name: (_with_chamber_roles(name, get), _with_chamber_roles(name, post))
    for name, (get, post) in MATRIX.items()
}
