"""Country facts (computed from CLDR, holidays, phonenumbers, tz data) and curated etiquette cards."""
