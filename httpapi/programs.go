package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/cofferdev/coffer/api"
)

const tagPrograms = "Programs"

// Path parameters of program routes.
type (
	// ProgramPath is the {id} of a program route.
	ProgramPath struct {
		ID string `path:"id" doc:"The program's id (prog_…)."`
	}
	// EnrollmentPath is the {id} of an enrollment route.
	EnrollmentPath struct {
		ID string `path:"id" doc:"The enrollment's id (enr_…)."`
	}
)

func (h *handler) registerPrograms(a huma.API) {
	a.OpenAPI().Tags = append(a.OpenAPI().Tags, &huma.Tag{Name: tagPrograms,
		Description: "Gifted-credit programs (admin only): each enrolled account gets a gift, applied on the 1st against the previous month's usage, with levels that start auto-payment, ask for a payment method and suspend."})

	register(a, mutate(http.MethodPost, http.StatusCreated, "createProgram", "/v1/programs", tagPrograms, "Create a program",
		"Levels left out take the reference program's: auto-payment at a balance with credits of 0.00 or a balance of -500.00, a payment method asked for at -505.00, suspension at -510.00, and once the gift is used up a refill to 20.00 below 10.00."),
		func(ctx context.Context, in *struct{ Body api.ProgramCreate }) (*api.Program, error) {
			return h.svc.CreateProgram(ctx, callFrom(ctx), in.Body)
		})
	register(a, get("listPrograms", "/v1/programs", tagPrograms, "List programs",
		"Lists the gifted-credit programs in creation order, with their gift, dates and payment rules."),
		func(ctx context.Context, in *struct{ PageQuery }) (*api.List[api.Program], error) {
			p, err := in.page("prog")
			if err != nil {
				return nil, err
			}
			return h.svc.ListPrograms(ctx, callFrom(ctx), p)
		})
	register(a, get("getProgram", "/v1/programs/{id}", tagPrograms, "Retrieve a program",
		"Returns the program: its gift and currency, when it starts and ends, and what it asks of enrolled accounts (a payment method, automatic payment) and when."),
		func(ctx context.Context, in *struct{ ProgramPath }) (*api.Program, error) {
			return h.svc.GetProgram(ctx, callFrom(ctx), in.ID)
		})
	register(a, mutate(http.MethodPatch, http.StatusOK, "updateProgram", "/v1/programs/{id}", tagPrograms, "Change a program",
		"Absent fields keep their value. Enrolments already made keep their gift and credited period; new levels reach enrolled accounts at their next true-up."),
		func(ctx context.Context, in *struct {
			ProgramPath
			Body api.ProgramUpdate
		}) (*api.Program, error) {
			return h.svc.UpdateProgram(ctx, callFrom(ctx), in.ID, in.Body)
		})
	register(a, mutate(http.MethodPost, http.StatusCreated, "createEnrollment", "/v1/programs/{id}/enrollments", tagPrograms, "Enrol an account",
		"Grants the program's gift as a true_up grant, sets the account's floor to suspend_at, and puts its auto-recharge on the program's levels (locked on when the program requires a payment method). Refused while the program requires a payment method and the account has no card or PayPal account."),
		func(ctx context.Context, in *struct {
			ProgramPath
			Body api.EnrollmentCreate
		}) (*api.Enrollment, error) {
			return h.svc.Enroll(ctx, callFrom(ctx), in.ID, in.Body)
		})
	register(a, get("listEnrollments", "/v1/programs/{id}/enrollments", tagPrograms, "List a program's enrollments",
		"Lists the program's enrolments in creation order, ended ones included, each with its account, gift grant and status."),
		func(ctx context.Context, in *struct {
			ProgramPath
			PageQuery
		}) (*api.List[api.Enrollment], error) {
			p, err := in.page("enr")
			if err != nil {
				return nil, err
			}
			return h.svc.ListEnrollments(ctx, callFrom(ctx), in.ID, p)
		})
	register(a, mutate(http.MethodDelete, http.StatusOK, "deleteEnrollment", "/v1/enrollments/{id}", tagPrograms, "Unenrol an account",
		"Ends the true-up: what is left of the gift is voided into breakage, the account's floor and credit limit are given back and the program's auto-recharge is turned off."),
		func(ctx context.Context, in *struct{ EnrollmentPath }) (*api.Enrollment, error) {
			return h.svc.Unenroll(ctx, callFrom(ctx), in.ID)
		})
}
