// Copy GOV.UK Frontend's JavaScript and static assets next to the compiled CSS.
import { cpSync, mkdirSync } from "node:fs";

const dist = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("static/govuk", { recursive: true });
cpSync(`${dist}/assets`, "static/govuk/assets", { recursive: true });
cpSync(`${dist}/govuk-frontend.min.js`, "static/govuk/govuk-frontend.min.js");
cpSync(`${dist}/govuk-frontend.min.js.map`, "static/govuk/govuk-frontend.min.js.map");
