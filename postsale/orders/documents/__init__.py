"""Documents a customer takes to the gate: entries as PDF and as Apple Wallet passes.
Rendered from Django templates in the order's language and the seller's time zone."""
