package e2e

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cofferdev/coffer"
	"github.com/cofferdev/coffer/api"
	"github.com/cofferdev/coffer/app"
	"github.com/cofferdev/coffer/client"
	"github.com/cofferdev/coffer/money"
)

// TestProgramReport follows three accounts of one program through
// January to March — one unenrolled after its first true-up, one whose
// gift expires after the credited period, one that uses its gift up —
// and checks the program report against what each balance and each
// account's history say, in JSON and in CSV.
func TestProgramReport(t *testing.T) {
	t.Parallel()
	stores(t, func(t *testing.T, dsn string) {
		h := startWith(t, dsn, func(c *app.ServerConfig) { c.ClockAt = jan2026 })
		noCard := false
		p, err := h.admin.CreateProgram(h.ctx, api.ProgramCreate{Name: "Startup", Currency: "USD", Gift: amt("100.00"),
			StartsOn: "2026-01", EndsOn: "2026-01", RequiresPaymentMethod: &noCard})
		if err != nil {
			t.Fatal(err)
		}
		enrol := func(name string) *api.Enrollment {
			t.Helper()
			a := h.account(name, "")
			e, err := h.admin.Enroll(h.ctx, p.ID, api.EnrollmentCreate{AccountID: a.ID})
			if err != nil {
				t.Fatalf("enrol %s: %v", name, err)
			}
			return e
		}
		left, expires, usesUp := enrol("Leaves"), enrol("Expires"), enrol("Uses it up")
		// An account in another program stays out of this one's report.
		other := h.enrolled("Other")
		h.mustDebit(other.AccountID, "other-1", "5.00")

		// Before any usage: everything issued, everything remaining.
		r := h.programReport(p.ID)
		wantFigures(t, "at enrolment", r.Total, "300.00", "0.00", "300.00", "0.00", "0.00")

		// January's usage; the February true-up credits it from each gift.
		h.mustDebit(left.AccountID, "l-1", "30.00")
		h.mustDebit(expires.AccountID, "e-1", "40.00")
		for i := range 3 {
			h.mustDebit(usesUp.AccountID, fmt.Sprint("u-", i), "50.00")
		}
		h.advanceTo(feb2026)
		if b := h.balance(left.AccountID); b.Balance != 0 || b.GiftedRemaining != amt("70.00") {
			t.Fatalf("after the true-up: balance %s, gift left %s", b.Balance, b.GiftedRemaining)
		}
		// February: usage outside the credited period, and an unenrolment
		// that voids the rest of a gift.
		h.mustDebit(expires.AccountID, "e-2", "10.00")
		if _, err := h.admin.Unenroll(h.ctx, left.ID); err != nil {
			t.Fatal(err)
		}
		r = h.programReport(p.ID)
		wantRow(t, r, left.ID, "100.00", "30.00", "0.00", "0.00", "70.00")
		wantRow(t, r, expires.ID, "100.00", "40.00", "60.00", "0.00", "0.00")
		wantFigures(t, "in February", r.Total, "300.00", "170.00", "60.00", "0.00", "70.00")

		// March 3: the credited period's gift left has expired.
		h.advanceTo(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC))
		r = h.programReport(p.ID)
		if r.Object != "program_report" || r.ProgramID != p.ID || r.Currency != "USD" || r.Total.Accounts != 3 || len(r.Accounts) != 3 {
			t.Fatalf("report: %+v", r)
		}
		got := []string{}
		for _, row := range r.Accounts {
			got = append(got, row.EnrollmentID)
		}
		if want := []string{left.ID, expires.ID, usesUp.ID}; !slices.Equal(got, want) {
			t.Fatalf("rows %v, want the enrollments oldest first %v", got, want)
		}
		wantRow(t, r, left.ID, "100.00", "30.00", "0.00", "0.00", "70.00")
		wantRow(t, r, expires.ID, "100.00", "40.00", "0.00", "60.00", "0.00")
		wantRow(t, r, usesUp.ID, "100.00", "100.00", "0.00", "0.00", "0.00")
		wantFigures(t, "in March", r.Total, "300.00", "170.00", "0.00", "60.00", "70.00")

		// Each row is what the enrollment, the account's balance and its
		// history say.
		enrollments, err := h.admin.ListEnrollments(h.ctx, p.ID, client.ListParams{})
		if err != nil || len(enrollments.Data) != len(r.Accounts) {
			t.Fatalf("enrollments: %+v %v", enrollments, err)
		}
		var sum api.ProgramReportTotal
		for i, row := range r.Accounts {
			h.wantReportRow(t, row, enrollments.Data[i])
			for _, x := range []struct{ sum, v *money.Amount }{{&sum.Issued, &row.Issued}, {&sum.Applied, &row.Applied},
				{&sum.Remaining, &row.Remaining}, {&sum.Expired, &row.Expired}, {&sum.Voided, &row.Voided}} {
				*x.sum += *x.v
			}
		}
		sum.Accounts = 3
		if sum != r.Total {
			t.Fatalf("total %+v, want the rows' sum %+v", r.Total, sum)
		}
		byID := map[string]api.ProgramReportAccount{}
		for _, row := range r.Accounts {
			byID[row.EnrollmentID] = row
		}
		if row := byID[left.ID]; row.Status != "ended" || row.CreditLastApplied != "2026-01" || row.ExhaustedAt != nil {
			t.Fatalf("unenrolled row: %+v", row)
		}
		// Its credited period ended with January: that is the last month
		// credited, and the gift was done with once February came.
		if row := byID[expires.ID]; row.Status != "active" || row.CreditLastApplied != "2026-01" || row.ExhaustedAt == nil {
			t.Fatalf("expired row: %+v", row)
		}
		if row := byID[usesUp.ID]; row.Status != "active" || row.ExhaustedAt == nil || !row.ExhaustedAt.Equal(feb2026) {
			t.Fatalf("used-up row: %+v", row)
		}

		// The same report in CSV, by ?format=csv and by Accept.
		data, err := h.admin.ProgramReportCSV(h.ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantReportCSV(t, data, r)
		status, header, accepted := h.raw(http.MethodGet, "/v1/programs/"+p.ID+"/report", nil, "Bearer "+h.srv.AdminKey,
			map[string]string{"Accept": "text/csv"})
		if status != http.StatusOK || !strings.HasPrefix(header.Get("Content-Type"), "text/csv") || !bytes.Equal(accepted, data) {
			t.Fatalf("Accept: text/csv: %d %s\n%s", status, header.Get("Content-Type"), accepted)
		}

		// Admin only; an unknown program is not found.
		_, err = h.ownerClient(expires.AccountID).ProgramReport(h.ctx, p.ID)
		wantCode(t, err, coffer.EForbidden)
		_, err = h.admin.ProgramReport(h.ctx, "prog_"+strings.Repeat("0", len(p.ID)-len("prog_")))
		wantCode(t, err, coffer.ENotFound)
	})
}

func (h *harness) programReport(id string) *api.ProgramReport {
	h.t.Helper()
	r, err := h.admin.ProgramReport(h.ctx, id)
	if err != nil {
		h.t.Fatalf("program report: %v", err)
	}
	for _, row := range r.Accounts {
		wantBalanced(h.t, row)
	}
	return r
}

// wantBalanced fails unless the row's gift is all accounted for.
func wantBalanced(t *testing.T, row api.ProgramReportAccount) {
	t.Helper()
	if row.Applied+row.Remaining+row.Expired+row.Voided != row.Issued {
		t.Fatalf("enrollment %s: applied %s + remaining %s + expired %s + voided %s != issued %s",
			row.EnrollmentID, row.Applied, row.Remaining, row.Expired, row.Voided, row.Issued)
	}
}

func wantRow(t *testing.T, r *api.ProgramReport, enrollmentID, issued, applied, remaining, expired, voided string) {
	t.Helper()
	for _, row := range r.Accounts {
		if row.EnrollmentID == enrollmentID {
			wantFigures(t, enrollmentID, api.ProgramReportTotal{Issued: row.Issued, Applied: row.Applied,
				Remaining: row.Remaining, Expired: row.Expired, Voided: row.Voided}, issued, applied, remaining, expired, voided)
			return
		}
	}
	t.Fatalf("no row for enrollment %s in %+v", enrollmentID, r.Accounts)
}

func wantFigures(t *testing.T, what string, f api.ProgramReportTotal, issued, applied, remaining, expired, voided string) {
	t.Helper()
	wantAmount(t, what+": issued", f.Issued, issued)
	wantAmount(t, what+": applied", f.Applied, applied)
	wantAmount(t, what+": remaining", f.Remaining, remaining)
	wantAmount(t, what+": expired", f.Expired, expired)
	wantAmount(t, what+": voided", f.Voided, voided)
}

// wantReportRow checks a row against the enrollment, the account's
// balance and the account's transactions: the gift grant's amount, what
// its true_up, expire and void transactions took from it.
func (h *harness) wantReportRow(t *testing.T, row api.ProgramReportAccount, e api.Enrollment) {
	t.Helper()
	if e.ID != row.EnrollmentID || e.AccountID != row.AccountID || e.Status != row.Status || e.Gift.Original != row.Issued ||
		e.Gift.Remaining != row.Remaining || e.Gift.CreditLastApplied != row.CreditLastApplied || e.GrantID == "" {
		t.Fatalf("enrollment %+v, report %+v", e, row)
	}
	b := h.balance(row.AccountID)
	if row.Status == "active" && (b.Gift == nil || b.Gift.Original != row.Issued || b.Gift.Remaining != row.Remaining ||
		b.Gift.CreditLastApplied != row.CreditLastApplied) {
		t.Fatalf("%s: balance's gift %+v, report %+v", row.EnrollmentID, b.Gift, row)
	}
	wantAmount(t, row.EnrollmentID+": gifted_remaining", b.GiftedRemaining, row.Remaining.String())
	txns, err := h.admin.ListTransactions(h.ctx, row.AccountID, client.TransactionListParams{ListParams: client.ListParams{Limit: 100}})
	if err != nil || txns.HasMore {
		t.Fatalf("transactions: %v (more: %v)", err, txns != nil && txns.HasMore)
	}
	took := map[string]money.Amount{}
	for _, tx := range txns.Data {
		for _, p := range tx.Postings {
			if p.Book == "customer" && p.GrantID == e.GrantID {
				took[tx.Type] -= p.Amount
			}
		}
	}
	wantAmount(t, row.EnrollmentID+": granted", -took["grant"], row.Issued.String())
	wantAmount(t, row.EnrollmentID+": true-ups", took["true_up"], row.Applied.String())
	wantAmount(t, row.EnrollmentID+": expired", took["expire"], row.Expired.String())
	wantAmount(t, row.EnrollmentID+": voided", took["void"], row.Voided.String())
}

// wantReportCSV parses the CSV back and checks it says what the JSON
// report says: the header, a row per enrollment, the total.
func wantReportCSV(t *testing.T, data []byte, r *api.ProgramReport) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v\n%s", err, data)
	}
	header := []string{"enrollment_id", "account_id", "status", "currency", "issued", "applied", "remaining", "expired", "voided",
		"credit_last_applied", "exhausted_at"}
	if len(rows) != len(r.Accounts)+2 || !slices.Equal(rows[0], header) {
		t.Fatalf("csv: %d rows, header %q\n%s", len(rows), rows[0], data)
	}
	for i, a := range r.Accounts {
		exhausted := ""
		if a.ExhaustedAt != nil {
			exhausted = a.ExhaustedAt.UTC().Format(time.RFC3339Nano)
		}
		want := []string{a.EnrollmentID, a.AccountID, a.Status, "USD", a.Issued.String(), a.Applied.String(), a.Remaining.String(),
			a.Expired.String(), a.Voided.String(), a.CreditLastApplied, exhausted}
		if !slices.Equal(rows[i+1], want) {
			t.Fatalf("csv row %d: %q, want %q", i+1, rows[i+1], want)
		}
	}
	tot := r.Total
	want := []string{"total", "", "", "USD", tot.Issued.String(), tot.Applied.String(), tot.Remaining.String(),
		tot.Expired.String(), tot.Voided.String(), "", ""}
	if last := rows[len(rows)-1]; !slices.Equal(last, want) {
		t.Fatalf("csv total row: %q, want %q", last, want)
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Fatalf("csv lines end in CRLF:\n%q", data)
	}
}
