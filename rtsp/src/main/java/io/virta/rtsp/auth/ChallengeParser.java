package io.virta.rtsp.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the challenge list of RFC 7235 section 4.1:
 * {@code challenge = scheme [ 1*SP ( token68 / #( name "=" ( token / quoted-string ) ) ) ]},
 * challenges and parameters separated by commas. Tolerates what cameras send: missing or extra
 * spaces, empty list elements, quoted values where tokens belong, parameters without commas.
 * Every loop consumes input or stops, so it cannot spin on bad input.
 */
final class ChallengeParser {
    /** Far above any real challenge; bounds the work a hostile server can ask for. */
    static final int MAX_LENGTH = 16 * 1024;

    private final String text;
    private int position;

    ChallengeParser(String text) {
        this.text = text == null ? "" : text;
    }

    List<AuthChallenge> challenges() throws AuthenticationException {
        if (text.length() > MAX_LENGTH) {
            throw new AuthenticationException("WWW-Authenticate is " + text.length() + " characters long, more than "
                    + MAX_LENGTH + " allowed");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                throw new AuthenticationException("WWW-Authenticate has a control character at position " + i);
            }
        }
        List<AuthChallenge> challenges = new ArrayList<>();
        while (true) {
            skipSpacesAndCommas();
            if (atEnd()) {
                break;
            }
            challenges.add(challenge());
        }
        if (challenges.isEmpty()) {
            throw new AuthenticationException("WWW-Authenticate has no challenge");
        }
        return challenges;
    }

    private AuthChallenge challenge() throws AuthenticationException {
        String scheme = token();
        if (scheme.isEmpty()) {
            throw unexpected("an authentication scheme");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        if (atEnd() || peek() == ',') {
            return new AuthChallenge(scheme, parameters, "");
        }
        if (!isSpace(peek())) {
            throw unexpected("a space after the scheme " + scheme);
        }
        skipSpaces();
        String token68 = token68();
        if (token68 != null) {
            return new AuthChallenge(scheme, parameters, token68);
        }
        while (true) {
            int mark = position;
            skipSpacesAndCommas();
            if (atEnd()) {
                break;
            }
            String name = token();
            if (name.isEmpty()) {
                throw unexpected("a parameter name");
            }
            skipSpaces();
            if (atEnd() || peek() != '=') {
                position = mark; // a scheme: the next challenge starts here
                break;
            }
            position++;
            skipSpaces();
            String value = !atEnd() && peek() == '"' ? quotedString(name) : bareValue();
            parameters.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
        }
        return new AuthChallenge(scheme, parameters, "");
    }

    /** A token68 (base64-like, then '=' padding) standing alone up to a comma or the end, else null. */
    private String token68() {
        int end = position;
        while (end < text.length() && isToken68Char(text.charAt(end))) {
            end++;
        }
        if (end == position) {
            return null;
        }
        while (end < text.length() && text.charAt(end) == '=') {
            end++;
        }
        int after = end;
        while (after < text.length() && isSpace(text.charAt(after))) {
            after++;
        }
        if (after < text.length() && text.charAt(after) != ',') {
            return null;
        }
        String token68 = text.substring(position, end);
        position = end;
        return token68;
    }

    private String quotedString(String name) throws AuthenticationException {
        int start = position;
        position++; // the opening quote
        StringBuilder value = new StringBuilder();
        while (!atEnd()) {
            char c = text.charAt(position++);
            if (c == '"') {
                return value.toString();
            }
            if (c == '\\' && !atEnd()) {
                c = text.charAt(position++);
            }
            value.append(c);
        }
        throw new AuthenticationException("WWW-Authenticate parameter " + name
                + " has a quoted string that does not end (it starts at position " + start + ")");
    }

    /** An unquoted value: RFC 7235 says token, cameras write more, so anything up to a comma or space. */
    private String bareValue() {
        int start = position;
        while (!atEnd() && peek() != ',' && !isSpace(peek())) {
            position++;
        }
        return text.substring(start, position);
    }

    private String token() {
        int start = position;
        while (!atEnd() && isTokenChar(peek())) {
            position++;
        }
        return text.substring(start, position);
    }

    private AuthenticationException unexpected(String expected) {
        String found = atEnd() ? "the end" : "'" + peek() + "'";
        return new AuthenticationException("WWW-Authenticate: expected " + expected + " at position " + position
                + ", found " + found);
    }

    private void skipSpaces() {
        while (!atEnd() && isSpace(peek())) {
            position++;
        }
    }

    private void skipSpacesAndCommas() {
        while (!atEnd() && (isSpace(peek()) || peek() == ',')) {
            position++;
        }
    }

    private boolean atEnd() {
        return position >= text.length();
    }

    private char peek() {
        return text.charAt(position);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** RFC 7230 tchar. */
    static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isToken68Char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~+/".indexOf(c) >= 0;
    }
}
