"""A small, realistic demo data set: facilities in MX, PH, NG, KE and a dozen detentions."""
import secrets
import uuid
from datetime import timedelta

from monitor.services.access import Actor, actor_from_user
from monitor.services.accounts import users as user_service
from monitor.services.custody import detentions, events, facilities
from schemas.detentions import DetentionInSchema
from schemas.events import EventInSchema
from schemas.facilities import FacilityInSchema
from schemas.fields import format_timestamp

FACILITIES = [
    ("mx", "Agencia del Ministerio Público Centro", "police_station", "MX", "America/Mexico_City", None),
    ("mx2", "Reclusorio Preventivo Norte", "pretrial", "MX", "America/Mexico_City", None),
    ("ph", "Quezon City Police District Station 6", "police_station", "PH", "Asia/Manila", None),
    ("ng", "Area F Police Command, Ikeja", "police_station", "NG", "Africa/Lagos", True),
    ("ke", "Central Police Station, Nairobi", "police_station", "KE", "Africa/Nairobi", None),
]

# (facility, name, sex, age, hours since arrest, extra fields, [(event type, hours after arrest, details)])
DETENTIONS = [
    ("mx", "Ana Demo Torres", "female", 34, 60, {}, [
        ("lawyer_access", 2, {"lawyer_name": "Lic. Demo Ruiz", "private": True}),
        ("family_notified", 5, {"relationship": "sister"})]),
    ("mx", "Luis Demo Pérez", "male", 16, 10, {}, [("family_notified", 0.5, {"relationship": "mother"})]),
    ("mx", "Rosa Demo Díaz", "female", 41, 40, {}, [
        ("lawyer_access", 1, {"private": True}), ("judicial_appearance", 20, {"outcome": "released"}),
        ("release", 21, {})]),
    ("mx", "Jorge Demo Luna", "male", 29, 80, {}, [
        ("lawyer_access", 3, {"private": False}), ("judicial_appearance", 30, {"outcome": "remanded"}),
        ("transfer", 32, {"to_facility_id": "mx2"})]),
    ("ph", "Carlo Demo Santos", "male", 22, 20, {}, [
        ("interrogation", 2, {"lawyer_present": False, "ended_at": 3})]),
    ("ph", "Maria Demo Reyes", "female", 37, 20, {"offence_gravity": "afflictive"}, [
        ("lawyer_access", 1, {"private": True}), ("medical_exam", 1.5, {"examiner": "independent",
                                                                       "injuries_observed": False})]),
    ("ph", "Jose Demo Cruz", "male", 19, 8, {"offence_gravity": "light"}, [
        ("confession", 4, {"lawyer_present": False})]),
    ("ng", "Chinedu Demo Okafor", "male", 31, 30, {}, [("family_notified", 6, {})]),
    ("ng", "Amina Demo Bello", "female", 26, 3, {}, [
        ("rights_notified", 0.2, {}), ("lawyer_access", 1, {"private": True})]),
    ("ke", "Otieno Demo Ouma", "male", 45, 26, {}, [("lawyer_requested", 1, {})]),
    ("ke", "Wanjiru Demo Kamau", "female", 24, 30, {}, [
        ("ill_treatment_alleged", 4, {"alleged_by": "detainee", "methods": ["beating"]})]),
    ("ke", "Kiprop Demo Kiptoo", "male", 17, 12, {}, [
        ("family_notified", 1, {"relationship": "father"}), ("judicial_appearance", 10, {"outcome": "released"}),
        ("release", 11, {})]),
]


def _users(now):
    """One user per role with a fresh random password; returns (admin actor, logins)."""
    system = Actor(None, "admin")
    org = user_service.create_organization(system, {"name": "Demo Monitoring Network"}, now)
    partner_org = user_service.create_organization(system, {"name": "Demo Partner NGO"}, now)
    logins, admin = [], None
    for role, countries, org_id in [("admin", [], org.id), ("monitor", ["MX", "PH", "NG", "KE"], org.id),
                                    ("partner", ["MX", "KE"], partner_org.id),
                                    ("researcher", ["MX", "PH", "NG", "KE"], org.id)]:
        password = secrets.token_urlsafe(12)
        user = user_service.create_user(system, {
            "email": f"{role}@demo.example", "role": role, "password": password,
            "countries": countries, "organization_id": org_id}, now)
        logins.append((role, user.email, password))
        if role == "admin":
            admin = actor_from_user(user)
    return admin, logins


def load_demo(now):
    """Create the demo users, facilities and detentions; return the logins to print."""
    admin, logins = _users(now)
    ids = {}
    for key, name, kind, country, tz, court in FACILITIES:
        facility, _ = facilities.create_facility(admin, FacilityInSchema().load({
            "name": name, "kind": kind, "country": country, "timezone": tz,
            "court_within_40km": court}), now)
        ids[key] = facility.id
    for key, name, sex, age, hours_ago, extra, timeline in DETENTIONS:
        arrested = now - timedelta(hours=hours_ago)
        detention, _ = detentions.create_detention(admin, DetentionInSchema().load(dict({
            "person": {"name": name, "sex": sex, "age": age},
            "facility_id": str(ids[key]), "arrested_at": format_timestamp(arrested),
            "arresting_authority": "Demo police", "grounds": "demo record"}, **extra)), now)
        for kind_, after, details in timeline:
            details = dict(details)
            if "to_facility_id" in details:
                details["to_facility_id"] = str(ids[details["to_facility_id"]])
            if "ended_at" in details:
                details["ended_at"] = format_timestamp(arrested + timedelta(hours=details["ended_at"]))
            events.add_event(admin, detention.id, EventInSchema().load({
                "id": str(uuid.uuid4()), "type": kind_, "details": details,
                "occurred_at": format_timestamp(arrested + timedelta(hours=after))}), now)
    return logins
