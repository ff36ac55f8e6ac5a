package httpapi

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAtMost must read what io.ReadAll over io.LimitReader reads, whatever
// the Content-Length claims and however the reader splits the body.
func TestReadAtMostMatchesLimitReader(t *testing.T) {
	for _, size := range []int{0, 1, 511, 512, 513, 1023, 1024, 1025, 5000} {
		body := strings.Repeat("x", size)
		for _, limit := range []int64{1, 512, 1024, 1025, 4096, 1 << 20} {
			want, _ := io.ReadAll(io.LimitReader(strings.NewReader(body), limit))
			for _, cl := range []int64{-1, 0, int64(size), int64(size) + 7, int64(size) / 2, limit, limit + 1} {
				for name, r := range map[string]io.Reader{
					"whole":    strings.NewReader(body),
					"one byte": iotest.OneByteReader(strings.NewReader(body)),
					"eof":      iotest.DataErrReader(strings.NewReader(body)),
				} {
					got, err := readAtMost(r, limit, cl)
					if err != nil || !bytes.Equal(got, want) {
						t.Fatalf("size %d, limit %d, Content-Length %d, %s: %d bytes, %v; want %d bytes", size, limit, cl, name, len(got), err, len(want))
					}
				}
			}
		}
	}
	boom := errors.New("boom")
	if _, err := readAtMost(iotest.ErrReader(boom), 10, -1); !errors.Is(err, boom) {
		t.Errorf("a read error came back as %v", err)
	}
	body := bytes.Repeat([]byte("x"), 700)
	r := bytes.NewReader(body)
	if n := testing.AllocsPerRun(100, func() { r.Reset(body); _, _ = readAtMost(r, 1<<20, 700) }); n > 1 {
		t.Errorf("a body of known length took %v allocations, want 1", n)
	}
}
