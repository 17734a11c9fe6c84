/**
 * Site ids, one rule in every file that names sites (scenario sites.csv, the measure plan's
 * sites.csv, campaign.json, site maps): letters, digits, ".", "_", ":" and "-", starting with a
 * letter or digit, at most 64 characters. Never ",", "|" or ">", which the formats join sites with.
 */
export const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const SITE_ID_EXPECTED = 'must be a site id (letters, digits, ".", "_", ":" or "-", at most 64 characters)';
