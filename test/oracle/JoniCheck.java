import org.joni.*;
import org.jcodings.specific.UTF8Encoding;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Oracle for the regex printer's `oniguruma` flavour: compiles each pattern the way Elasticsearch's
 * Grok does (joni, Syntax.DEFAULT = Ruby, UTF-8, Option.DEFAULT) and searches each subject
 * unanchored, as GROK does. Debian: libjruby-joni-java + libjcodings-java.
 *
 * stdin: "P <hex UTF-8 pattern>" then "S <hex UTF-8 subject>" lines.
 * stdout: per P "ok" or "E <message>"; per S "1" (match), "0" (no match) or "-" (pattern failed).
 */
public class JoniCheck {
  public static void main(String[] a) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    HexFormat hx = HexFormat.of();
    Regex re = null;
    String line;
    StringBuilder out = new StringBuilder();
    while ((line = in.readLine()) != null) {
      if (line.startsWith("P ")) {
        byte[] p = hx.parseHex(line.substring(2));
        try { re = new Regex(p, 0, p.length, Option.DEFAULT, UTF8Encoding.INSTANCE, Syntax.DEFAULT, WarnCallback.NONE); out.append("ok\n"); }
        catch (Exception e) { re = null; out.append("E ").append(e.getMessage().replace('\n',' ')).append('\n'); }
      } else if (line.startsWith("S ")) {
        byte[] s = line.length() > 2 ? hx.parseHex(line.substring(2)) : new byte[0];
        if (re == null) { out.append("-\n"); continue; }
        Matcher m = re.matcher(s, 0, s.length);
        int r = m.search(0, s.length, Option.DEFAULT);
        out.append(r >= 0 ? "1\n" : "0\n");
      }
    }
    System.out.print(out);
  }
}
