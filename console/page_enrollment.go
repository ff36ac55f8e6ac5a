package console

import (
	"net/http"
	"net/url"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/store"
)

// The account's gifted-credit program, for staff: its active enrolment
// with the end form, or the enrol form when it is in none.

func enrollmentRoutes() []route {
	return []route{
		{pattern: "GET /accounts/{id}/program", access: staff, tab: "Program", handle: accountProgramPage},
		{pattern: "POST /accounts/{id}/program/enrol", access: staff, handle: enrollAccount},
		{pattern: "POST /accounts/{id}/program/end", access: staff, handle: endAccountEnrollment},
	}
}

type accountProgramData struct {
	Enrollment *api.Enrollment
	Program    *api.Program
	// Enrol is the enrol form, with the programs in the account's
	// currency to choose from, when the account is in none; End the end
	// form when it is in one.
	Enrol    *form
	Programs []option
	End      *form
}

// ProgramField is the enrol form's choice of program.
func (d *accountProgramData) ProgramField() field {
	fl := d.Enrol.Select("program_id", "Program")
	fl.Options = d.Programs
	return fl
}

func accountProgramPage(q *request) error {
	return q.renderAccountProgram(http.StatusOK, nil)
}

// renderAccountProgram draws the tab; failed is the enrol or end form
// sent with errors.
func (q *request) renderAccountProgram(status int, failed *form) error {
	d := &accountProgramData{}
	v, err := q.accountView(d)
	if err != nil {
		return err
	}
	call, err := q.call()
	if err != nil {
		return err
	}
	ctx := q.r.Context()
	if d.Enrollment, err = q.c.svc.AccountEnrollment(ctx, call, v.Account.ID); err != nil {
		return err
	}
	if e := d.Enrollment; e != nil {
		if d.Program, err = q.c.svc.GetProgram(ctx, call, e.ProgramID); err != nil {
			return err
		}
		d.End = newForm("end", url.Values{"enrollment_id": {e.ID}})
		if failed != nil && failed.ID == "end" {
			d.End = failed
		}
		return q.renderView(status, "account-program", v)
	}
	d.Enrol = newForm("enrol", nil, "program_id")
	if failed != nil && failed.ID == "enrol" {
		d.Enrol = failed
	}
	progs, err := q.c.svc.ListPrograms(ctx, call, store.Page{Limit: 100})
	if err != nil {
		return err
	}
	for _, p := range progs.Data {
		if p.Currency == v.Account.Currency {
			d.Programs = append(d.Programs, option{Value: p.ID, Label: p.Name + " (" + formatMoney(p.Gift, p.Currency) + " gift)"})
		}
	}
	return q.renderView(status, "account-program", v)
}

func enrollAccount(q *request) error {
	id := q.r.PathValue("id")
	f := newForm("enrol", q.r.PostForm, "program_id")
	e, err := q.enroll(f.Values.Get("program_id"), id)
	if err == nil {
		return q.redirect("/accounts/"+id+"/program", "Enrolled in program "+e.ProgramID+".")
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderAccountProgram(coffer.HTTPStatus(coffer.ErrorCode(err)), f)
}

func endAccountEnrollment(q *request) error {
	id := q.r.PathValue("id")
	f := newForm("end", q.r.PostForm)
	e, err := q.endEnrollment(id, f.Values.Get("enrollment_id"), "")
	if err == nil {
		return q.redirect("/accounts/"+id+"/program", "Ended the enrolment in program "+e.ProgramID+"; what was left of the gift went to breakage.")
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderAccountProgram(coffer.HTTPStatus(coffer.ErrorCode(err)), f)
}
