package secretbox_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/cofferdev/coffer/secretbox"
)

func key(b byte) secretbox.Key {
	var k secretbox.Key
	for i := range k {
		k[i] = b + byte(i)
	}
	return k
}

func TestParseKey(t *testing.T) {
	k := key(7)
	raw := k[:]
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"hex", hex.EncodeToString(raw), true},
		{"hex upper case", strings.ToUpper(hex.EncodeToString(raw)), true},
		{"base64", base64.StdEncoding.EncodeToString(raw), true},
		{"base64 unpadded", base64.RawStdEncoding.EncodeToString(raw), true},
		{"base64 url", base64.URLEncoding.EncodeToString(raw), true},
		{"surrounding space", " " + base64.StdEncoding.EncodeToString(raw) + "\n", true},
		{"empty", "", false},
		{"short base64", base64.StdEncoding.EncodeToString(raw[:16]), false},
		{"long base64", base64.StdEncoding.EncodeToString(append(raw, 1)), false},
		{"64 chars not hex", strings.Repeat("z", 64), false},
		{"short hex", hex.EncodeToString(raw[:31]), false},
		{"not base64", "not a key!", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := secretbox.ParseKey(tc.in)
			if tc.ok != (err == nil) {
				t.Fatalf("ParseKey(%q) err = %v, want ok = %v", tc.in, err, tc.ok)
			}
			if tc.ok && got != k {
				t.Fatalf("ParseKey(%q) = %x, want %x", tc.in, got, k)
			}
		})
	}
}

func TestSealOpen(t *testing.T) {
	cur, old, other := key(1), key(2), key(3)
	ring := secretbox.NewKeyring(cur, old)
	oldRing := secretbox.NewKeyring(old)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	sealedNow := ring.Seal(secret, "we_1")
	sealedOld := oldRing.Seal(secret, "we_1")
	flip := func(s string) string {
		b := []byte(s)
		b[len(b)-3] ^= 1
		return string(b)
	}
	for _, tc := range []struct {
		name, sealed, context string
		ring                  *secretbox.Keyring
		want                  error
	}{
		{"current key", sealedNow, "we_1", ring, nil},
		{"previous key", sealedOld, "we_1", ring, nil},
		{"the previous key alone", sealedOld, "we_1", oldRing, nil},
		{"key not given", sealedNow, "we_1", oldRing, secretbox.ErrUnknownKey},
		{"another key with the id forged", strings.Replace(secretbox.NewKeyring(other).Seal(secret, "we_1"),
			other.ID(), cur.ID(), 1), "we_1", ring, secretbox.ErrCorrupt},
		{"another context", sealedNow, "we_2", ring, secretbox.ErrCorrupt},
		{"altered", flip(sealedNow), "we_1", ring, secretbox.ErrCorrupt},
		{"truncated", sealedNow[:len("enc:v1:")+12], "we_1", ring, secretbox.ErrCorrupt},
		{"plaintext", secret, "we_1", ring, secretbox.ErrCorrupt},
		{"not base64", "enc:v1:" + cur.ID() + ":***", "we_1", ring, secretbox.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ring.Open(tc.sealed, tc.context)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open err = %v, want %v", err, tc.want)
			}
			if tc.want == nil && got != secret {
				t.Fatalf("Open = %q, want %q", got, secret)
			}
		})
	}
}

func TestSealedValues(t *testing.T) {
	cur, old := key(1), key(2)
	ring := secretbox.NewKeyring(cur, old)
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	a, b := ring.Seal(secret, "we_1"), ring.Seal(secret, "we_1")
	if a == b {
		t.Fatal("two seals of one secret are equal: the nonce is not fresh")
	}
	for _, s := range []string{a, b} {
		if strings.Contains(s, secret) || strings.Contains(s, strings.TrimPrefix(secret, "whsec_")) {
			t.Fatalf("sealed value %q shows the secret", s)
		}
		if !strings.HasPrefix(s, "enc:v1:"+cur.ID()+":") || secretbox.KeyID(s) != cur.ID() || !secretbox.IsSealed(s) {
			t.Fatalf("sealed value %q lacks its version and key id %s", s, cur.ID())
		}
	}
	if len(cur.ID()) != 8 || cur.ID() == old.ID() || ring.CurrentID() != cur.ID() {
		t.Fatalf("key ids %q %q, current %q", cur.ID(), old.ID(), ring.CurrentID())
	}
	if bytes.Contains([]byte(cur.ID()), []byte(hex.EncodeToString(cur[:4]))) {
		t.Fatal("the key id is the key's first bytes")
	}
	for _, tc := range []struct {
		name, stored string
		stale        bool
	}{
		{"plaintext", secret, true},
		{"current key", a, false},
		{"previous key", secretbox.NewKeyring(old).Seal(secret, "we_1"), true},
	} {
		if got := ring.Stale(tc.stored); got != tc.stale {
			t.Errorf("%s: Stale = %v, want %v", tc.name, got, tc.stale)
		}
	}
	if secretbox.IsSealed(secret) || secretbox.KeyID(secret) != "" {
		t.Fatal("plaintext taken for a sealed value")
	}
}
