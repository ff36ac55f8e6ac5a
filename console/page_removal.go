package console

// removalData is the confirmation step before something is deleted or
// revoked (templates/confirm-removal.html): what it is, what happens,
// and a form that does it or a link back.
type removalData struct {
	Title  string // the question, as "Delete subaccount Support?"
	Lead   string // what happens, in a sentence or two
	Action string // where the form posts
	Button string // the button that does it
	Back   string // the page to return to without doing it
	Form   *form
}
