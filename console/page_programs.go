package console

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/money"
	"github.com/cofferdev/coffer/program"
	"github.com/cofferdev/coffer/service"
	"github.com/cofferdev/coffer/store"
)

// Gifted-credit programs, for staff: the list with the create form, a
// program's page with its levels, enrolments, enrol form and report, and
// the report as CSV.

func programsRoutes() []route {
	return []route{
		{pattern: "GET /programs", access: staff, nav: "Programs", handle: programsPage},
		{pattern: "POST /programs", access: staff, handle: createProgram},
		{pattern: "GET /programs/{prog}", access: staff, handle: programPage},
		{pattern: "GET /programs/{prog}/report.csv", access: staff, handle: programReportCSV},
		{pattern: "POST /programs/{prog}/enrollments", access: staff, handle: enrollFromProgram},
		{pattern: "POST /programs/{prog}/enrollments/{enr}/end", access: staff, handle: endFromProgram},
	}
}

type programsData struct {
	Create      *form
	Programs    []api.Program
	Next, First string
}

// programFields are the create form's fields, named as the API's body
// and its errors name them.
var programFields = []string{"name", "currency", "gift", "starts_on", "ends_on", "requires_payment_method",
	"auto_payment.balance_with_credits", "auto_payment.balance", "payment_method_required_at", "suspend_at",
	"after_exhaustion.threshold", "after_exhaustion.target"}

// newProgramForm is the create form, drawn with the reference program's
// levels, which the service also takes for a level left out.
func newProgramForm(values url.Values) *form {
	if values == nil {
		l := program.DefaultLevels()
		values = url.Values{"requires_payment_method": {"true"},
			"auto_payment.balance_with_credits": {l.AutoPaymentBalanceWithCredits.String()}, "auto_payment.balance": {l.AutoPaymentBalance.String()},
			"payment_method_required_at": {l.PaymentMethodRequiredAt.String()}, "suspend_at": {l.SuspendAt.String()},
			"after_exhaustion.threshold": {l.AfterThreshold.String()}, "after_exhaustion.target": {l.AfterTarget.String()}}
	}
	return newForm("program", values, programFields...)
}

func programsPage(q *request) error {
	return q.renderPrograms(http.StatusOK, nil)
}

func (q *request) renderPrograms(status int, create *form) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	qv := q.r.URL.Query()
	list, err := q.c.svc.ListPrograms(q.r.Context(), call, store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		return err
	}
	d := programsData{Create: create, Programs: list.Data}
	if d.Create == nil {
		d.Create = newProgramForm(nil)
	}
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last)
	return q.render(status, "programs", d)
}

func createProgram(q *request) error {
	f := newProgramForm(q.r.PostForm)
	in, err := programInput(f.Values)
	if err == nil {
		var call service.Call
		if call, err = q.mutation(); err == nil {
			var p *api.Program
			p, err = service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Program, error) {
				return q.c.svc.CreateProgram(ctx, call, in)
			})
			if err == nil {
				return q.redirect("/programs/"+p.ID, "Created program "+p.Name+".")
			}
		}
	}
	if !f.fail(err) {
		return err
	}
	return q.renderPrograms(coffer.HTTPStatus(coffer.ErrorCode(err)), f)
}

// programInput reads the create form into the API's request, naming the
// field at fault as the API does.
func programInput(v url.Values) (api.ProgramCreate, error) {
	in := api.ProgramCreate{Name: v.Get("name"), Currency: strings.ToUpper(strings.TrimSpace(v.Get("currency"))),
		StartsOn: strings.TrimSpace(v.Get("starts_on")), EndsOn: strings.TrimSpace(v.Get("ends_on"))}
	requires := v.Get("requires_payment_method") != "false"
	in.RequiresPaymentMethod = &requires
	gift, err := money.Parse(strings.TrimSpace(v.Get("gift")))
	if err != nil {
		return in, coffer.Invalid("gift", "%s", err)
	}
	in.Gift = gift
	levels := map[string]**money.Amount{}
	in.AutoPayment, in.AfterExhaustion = &api.ProgramAutoPaymentChange{}, &api.ProgramRechargeChange{}
	levels["auto_payment.balance_with_credits"] = &in.AutoPayment.BalanceWithCredits
	levels["auto_payment.balance"] = &in.AutoPayment.Balance
	levels["payment_method_required_at"] = &in.PaymentMethodRequiredAt
	levels["suspend_at"] = &in.SuspendAt
	levels["after_exhaustion.threshold"] = &in.AfterExhaustion.Threshold
	levels["after_exhaustion.target"] = &in.AfterExhaustion.Target
	for _, name := range programFields { // in the form's order, so the first bad field is told
		to, ok := levels[name]
		if !ok {
			continue
		}
		if *to, err = optionalAmount(v, name); err != nil {
			return in, err
		}
	}
	return in, nil
}

// optionalAmount reads an amount field; empty leaves it to the service's
// default.
func optionalAmount(v url.Values, name string) (*money.Amount, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil, nil
	}
	a, err := money.Parse(s)
	if err != nil {
		return nil, coffer.Invalid(name, "%s", err)
	}
	return &a, nil
}

type programData struct {
	Program *api.Program
	Enrol   *form
	// Ends are the end forms of the active enrolments, by enrolment id.
	Ends        map[string]*form
	Enrollments []enrollmentRow
	Report      *api.ProgramReport
	Next, First string
}

// enrollmentRow is an enrolment with its account's name.
type enrollmentRow struct {
	api.Enrollment
	AccountName string
}

func programPage(q *request) error {
	return q.renderProgram(http.StatusOK, nil, "", nil)
}

// renderProgram draws a program's page; enrol is the enrol form sent with
// errors, or end the end form of enrolment ended.
func (q *request) renderProgram(status int, enrol *form, ended string, end *form) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	ctx, id := q.r.Context(), q.r.PathValue("prog")
	p, err := q.c.svc.GetProgram(ctx, call, id)
	if err != nil {
		return err
	}
	d := &programData{Program: p, Enrol: enrol, Ends: map[string]*form{}}
	if d.Enrol == nil {
		d.Enrol = newForm("enrol", nil, "account_id")
	}
	qv := q.r.URL.Query()
	list, err := q.c.svc.ListEnrollments(ctx, call, p.ID, store.Page{Limit: pageSize, StartingAfter: qv.Get("starting_after")})
	if err != nil {
		return err
	}
	for _, e := range list.Data {
		row := enrollmentRow{Enrollment: e}
		if a, err := q.c.svc.GetAccount(ctx, call, e.AccountID); err == nil {
			row.AccountName = a.Name
		}
		d.Enrollments = append(d.Enrollments, row)
		if e.Status == "active" {
			if e.ID == ended && end != nil {
				d.Ends[e.ID] = end
			} else {
				d.Ends[e.ID] = newForm("end-"+e.ID, nil)
			}
		}
	}
	last := ""
	if n := len(list.Data); n > 0 {
		last = list.Data[n-1].ID
	}
	d.Next, d.First = pagerLinks(qv, list.HasMore, last)
	if d.Report, err = q.c.svc.ProgramReport(ctx, call, p.ID); err != nil {
		return err
	}
	return q.render(status, "program", d)
}

// programReportCSV serves the program's report as the API's
// GET /v1/programs/{id}/report?format=csv does.
func programReportCSV(q *request) error {
	call, err := q.call()
	if err != nil {
		return err
	}
	r, err := q.c.svc.ProgramReport(q.r.Context(), call, q.r.PathValue("prog"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := service.WriteProgramReportCSV(&buf, r); err != nil {
		return err
	}
	return q.sendCSV(r.ProgramID+"-report.csv", buf.Bytes())
}

func enrollFromProgram(q *request) error {
	progID := q.r.PathValue("prog")
	f := newForm("enrol", q.r.PostForm, "account_id")
	e, err := q.enroll(progID, strings.TrimSpace(f.Values.Get("account_id")))
	if err == nil {
		return q.redirect("/programs/"+progID, "Enrolled account "+e.AccountID+".")
	}
	// An account that is not found is the form's error (its param is
	// account_id); a program that is not is the page's.
	if !f.fail(err) || isCode(err, coffer.ENotFound) && f.Errors["account_id"] == "" {
		return err
	}
	return q.renderProgram(coffer.HTTPStatus(coffer.ErrorCode(err)), f, "", nil)
}

func endFromProgram(q *request) error {
	progID, enrID := q.r.PathValue("prog"), q.r.PathValue("enr")
	f := newForm("end-"+enrID, q.r.PostForm)
	_, err := q.endEnrollment(f.Values.Get("account_id"), enrID, progID)
	if err == nil {
		return q.redirect("/programs/"+progID, "Ended enrolment "+enrID+".")
	}
	if !f.fail(err) || isCode(err, coffer.ENotFound) {
		return err
	}
	return q.renderProgram(coffer.HTTPStatus(coffer.ErrorCode(err)), nil, enrID, f)
}

// enroll puts the account in the program, once per form.
func (q *request) enroll(programID, accountID string) (*api.Enrollment, error) {
	call, err := q.mutation()
	if err != nil {
		return nil, err
	}
	return service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Enrollment, error) {
		return q.c.svc.Enroll(ctx, call, programID, api.EnrollmentCreate{AccountID: accountID})
	})
}

// endEnrollment ends the account's active enrolment, once per form. The
// form names the enrolment it was drawn for (and the program, on a
// program's page): if the account's active enrolment is another, that
// one is not found here, so a stale page never ends a newer enrolment.
func (q *request) endEnrollment(accountID, enrollmentID, programID string) (*api.Enrollment, error) {
	call, err := q.mutation()
	if err != nil {
		return nil, err
	}
	return service.Once(q.r.Context(), q.c.svc, call, func(ctx context.Context) (*api.Enrollment, error) {
		e, err := q.c.svc.AccountEnrollment(ctx, call, accountID)
		if err != nil {
			return nil, err
		}
		if e == nil || e.ID != enrollmentID || programID != "" && e.ProgramID != programID {
			return nil, coffer.Errorf(coffer.ENotFound, "enrollment %s not found", enrollmentID)
		}
		return q.c.svc.Unenroll(ctx, call, enrollmentID)
	})
}
