package console

import "github.com/cofferdev/coffer/service"

// The console's front door: staff land on the accounts list, an owner on
// its own account's billing overview.

func homeRoutes() []route {
	return []route{{pattern: "GET /{$}", access: member, handle: home}}
}

func home(q *request) error {
	return q.redirect(homePath(q.sess), "")
}

// homePath is where the session's user starts.
func homePath(s *service.ConsoleSession) string {
	if s.Staff() {
		return "/accounts"
	}
	return "/accounts/" + s.User.AccountID
}
