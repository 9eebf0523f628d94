"""The seller's settings in the back office (owners only): general, calendar, refund
windows and terms, members, API tokens. Each page parses a form, calls one service of
`postsale.sellers` (or `postsale.orders.products`), and shows the service's field errors
on the form with nothing saved."""
