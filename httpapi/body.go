package httpapi

import (
	"bytes"
	"io"
)

// readAtMost reads r to its end, or to limit bytes if it is longer, into
// one buffer sized by the request's Content-Length when it gives one
// within the limit: a body is then read in a single allocation, where
// io.ReadAll starts small and grows.
func readAtMost(r io.Reader, limit, contentLength int64) ([]byte, error) {
	size := int64(512)
	if contentLength >= 0 && contentLength < limit {
		size = contentLength + 1 // the extra byte finds the end without a second buffer
	}
	buf := make([]byte, 0, size)
	for {
		if int64(len(buf)) >= limit {
			return buf[:limit], nil
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := cap(buf)
		if int64(room) > limit {
			room = int(limit)
		}
		n, err := r.Read(buf[len(buf):room])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// replayBody hands huma the body authenticate has already read, in one
// allocation where io.NopCloser over a bytes.Reader takes two.
type replayBody struct{ bytes.Reader }

func (*replayBody) Close() error { return nil }
