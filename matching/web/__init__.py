"""The advisors' workspace in a browser (``mobilite serve``): upload and check files, run a
batch with live progress, read shortlists, explain any pair, keep or strike lines, download
each ministry's package. See :mod:`matching.web.app` (routes), :mod:`matching.web.security`
(token, cookie, CSRF) and :mod:`matching.web.workspace` (batches and runs)."""
