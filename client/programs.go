package client

import (
	"context"
	"net/http"

	"github.com/cofferdev/coffer/api"
)

// CreateProgram makes a gifted-credit program.
func (c *Client) CreateProgram(ctx context.Context, in api.ProgramCreate, opts ...CallOption) (*api.Program, error) {
	return call[api.Program](ctx, c, http.MethodPost, "/v1/programs", in, opts)
}

// ListPrograms returns one page of programs.
func (c *Client) ListPrograms(ctx context.Context, lp ListParams, opts ...CallOption) (*api.List[api.Program], error) {
	return call[api.List[api.Program]](ctx, c, http.MethodGet, withQuery("/v1/programs", lp.values()), nil, opts)
}

// GetProgram returns a program.
func (c *Client) GetProgram(ctx context.Context, id string, opts ...CallOption) (*api.Program, error) {
	p, err := idPath("program id", "/v1/programs/", id, "")
	if err != nil {
		return nil, err
	}
	return call[api.Program](ctx, c, http.MethodGet, p, nil, opts)
}

// UpdateProgram changes a program.
func (c *Client) UpdateProgram(ctx context.Context, id string, in api.ProgramUpdate, opts ...CallOption) (*api.Program, error) {
	p, err := idPath("program id", "/v1/programs/", id, "")
	if err != nil {
		return nil, err
	}
	return call[api.Program](ctx, c, http.MethodPatch, p, in, opts)
}

// Enroll puts an account in a program.
func (c *Client) Enroll(ctx context.Context, programID string, in api.EnrollmentCreate, opts ...CallOption) (*api.Enrollment, error) {
	p, err := idPath("program id", "/v1/programs/", programID, "/enrollments")
	if err != nil {
		return nil, err
	}
	return call[api.Enrollment](ctx, c, http.MethodPost, p, in, opts)
}

// ListEnrollments returns one page of a program's enrollments.
func (c *Client) ListEnrollments(ctx context.Context, programID string, lp ListParams, opts ...CallOption) (*api.List[api.Enrollment], error) {
	p, err := idPath("program id", "/v1/programs/", programID, "/enrollments")
	if err != nil {
		return nil, err
	}
	return call[api.List[api.Enrollment]](ctx, c, http.MethodGet, withQuery(p, lp.values()), nil, opts)
}

// Unenroll ends an enrollment.
func (c *Client) Unenroll(ctx context.Context, id string, opts ...CallOption) (*api.Enrollment, error) {
	p, err := idPath("enrollment id", "/v1/enrollments/", id, "")
	if err != nil {
		return nil, err
	}
	return call[api.Enrollment](ctx, c, http.MethodDelete, p, nil, opts)
}
