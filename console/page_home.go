package console

// The console's front door: staff land on the accounts list, an owner on
// its own account's billing overview.

func homeRoutes() []route {
	return []route{{pattern: "GET /{$}", access: member, handle: home}}
}

func home(q *request) error {
	if q.sess.Staff() {
		return q.redirect("/accounts", "")
	}
	return q.redirect("/accounts/"+q.sess.User.AccountID, "")
}
