// kith.js - kith's only script. The Makefile appends it to GOV.UK
// Frontend's ES module (govuk-frontend.min.js) to make build/assets/kith.js,
// which the pages that need it (the referral forms) load as a module:
// never inline (the CSP says script-src 'self'), and only in browsers GOV.UK
// Frontend supports. Every page works without it; other pages load none.
//
// It marks the page as supported (GOV.UK Frontend's CSS hides unchosen
// conditional boxes only then) and starts the components kith relies on:
// radios and checkboxes, for their conditional reveals (the referral
// forms' contact boxes). The others are left as the browser does them
// (the error summary would move focus on load; buttons would ignore a
// second click).
document.body.classList.add('govuk-frontend-supported')
createAll(Radios)
createAll(Checkboxes)
