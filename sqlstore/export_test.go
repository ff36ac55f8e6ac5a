package sqlstore

import "context"

// Exec runs a statement on the writer, outside the store's rules. Tests
// use it to corrupt rows on purpose (see storetest.Execer).
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	_, err := s.eng.pool(true).exec(ctx, query, args...)
	return err
}

// QueryInt runs a query returning one integer.
func (s *Store) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	_, err := queryRow(ctx, s.eng.pool(false), query, args, &n)
	return n, err
}

// QueryString runs a query returning one string.
func (s *Store) QueryString(ctx context.Context, query string, args ...any) (string, error) {
	var v string
	_, err := queryRow(ctx, s.eng.pool(false), query, args, &v)
	return v, err
}
