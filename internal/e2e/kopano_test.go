package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// createToken makes a user token exactly as kopano's test/create_token.py:
// "%d:%s:%s" % (t, userid, hmac(secret, "%d:%s" % (t, userid), sha256).digest().encode('base64').strip().upper()).
func createToken(key, userID string, t int64) string {
	mac := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(mac, "%d:%s", t, userID)
	return fmt.Sprintf("%d:%s:%s", t, userID, strings.ToUpper(base64.StdEncoding.EncodeToString(mac.Sum(nil))))
}

// kopanoSource is one source of a user in a kopano answer.
type kopanoSource struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

type kopanoUser struct {
	UserID string       `json:"user_id"`
	XMPP   kopanoSource `json:"xmpp"`
	Spreed kopanoSource `json:"spreed"`
}

// kopano sends one kopano request, as kopano's clients do (a JSON body on
// every method, Basic credentials that the server ignores).
func (p *proc) kopano(method, token, users string) (int, []kopanoUser, string) {
	p.t.Helper()
	body := fmt.Sprintf(`{"AuthenticationToken":%q,"Type":"UserStatus","UserStatus":[%s]}`, token, users)
	code, got := p.do(method, "/api/kopano", body, map[string]string{
		"Content-Type": "application/json", "Authorization": "Basic cHJlc2VuY2U6cHJlc2VuY2U=",
	})
	if code != 200 || method == "PUT" {
		return code, nil, got
	}
	var a struct {
		Type       string
		UserStatus []kopanoUser
	}
	if err := json.Unmarshal([]byte(got), &a); err != nil || a.Type != "UserStatus" {
		p.t.Fatalf("%s answer %q: %v", method, got, err)
	}
	return code, a.UserStatus, got
}

func TestKopano(t *testing.T) {
	p := start(t, t.TempDir())
	now := time.Now().Unix()
	alice := createToken(secret, "alice@example.com", now)

	// `badges token` prints exactly what create_token.py would at its time.
	printed := command(t, "token", "-token-secret", secret, "bob@example.com")
	ts, err := strconv.ParseInt(printed[:strings.IndexByte(printed, ':')], 10, 64)
	if err != nil || printed != createToken(secret, "bob@example.com", ts) {
		t.Fatalf("badges token printed %q", printed)
	}

	code, _, body := p.kopano("PUT", alice, `{"user_id":"alice@example.com","spreed":{"status":"busy","message":"In a meeting"}}`)
	if code != 200 || body != "" {
		t.Fatalf("PUT = %d %q", code, body)
	}
	code, users, body := p.kopano("GET", alice, `{"user_id":"alice@example.com"},{"user_id":"nobody@example.com"}`)
	if code != 200 || len(users) != 2 ||
		users[0] != (kopanoUser{"alice@example.com", kopanoSource{"unavailable", ""}, kopanoSource{"busy", "In a meeting"}}) ||
		users[1] != (kopanoUser{"nobody@example.com", kopanoSource{"unavailable", ""}, kopanoSource{"unavailable", ""}}) {
		t.Errorf("GET = %d %s", code, body)
	}
	// The kopano write is the http source of the JSON API.
	if pr := p.get("alice@example.com"); pr.Status != "dnd" || pr.Message != "In a meeting" {
		t.Errorf("JSON API = %+v", pr)
	}

	// POST writes, then reads; bob's own token writes bob.
	code, users, body = p.kopano("POST", printed, `{"user_id":"bob@example.com","spreed":{"status":"away","message":"lunch"}},{"user_id":"alice@example.com"}`)
	if code != 200 || len(users) != 2 || users[0].Spreed != (kopanoSource{"away", "lunch"}) || users[1].Spreed.Status != "busy" {
		t.Errorf("POST = %d %s", code, body)
	}

	// Another user's token cannot write, and changes nothing.
	if code, _, body := p.kopano("PUT", alice, `{"user_id":"bob@example.com","spreed":{"status":"available"}}`); code != 403 {
		t.Errorf("PUT for another user = %d %s", code, body)
	}
	// An expired token, or one of another secret, is refused.
	expired := createToken(secret, "alice@example.com", now-int64(6*time.Minute/time.Second))
	for _, tok := range []string{expired, createToken("GEHEIM", "alice@example.com", now)} {
		for _, method := range []string{"GET", "PUT", "POST"} {
			if code, _, body := p.kopano(method, tok, `{"user_id":"alice@example.com","spreed":{"status":"available"}}`); code != 401 {
				t.Errorf("%s with a bad token = %d %s", method, code, body)
			}
		}
	}
	if pr := p.get("bob@example.com"); pr.Status != "away" {
		t.Errorf("bob after refused writes: %+v", pr)
	}
	if pr := p.get("alice@example.com"); pr.Status != "dnd" {
		t.Errorf("alice after refused writes: %+v", pr)
	}
}
