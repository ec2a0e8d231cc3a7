using System.Text;

namespace GrainPool.Load;

/// <summary>Escaping for the HTML report, which is also well-formed XML (XHTML style).</summary>
internal static class Html
{
    /// <summary>
    /// <paramref name="text"/> safe inside an element or a quoted attribute: &amp;, &lt;, &gt; and both quotes as
    /// entities XML also knows, and the characters XML 1.0 does not allow (most control characters, lone surrogates)
    /// as U+FFFD.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var escaped = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': escaped.Append("&amp;"); break;
                case '<': escaped.Append("&lt;"); break;
                case '>': escaped.Append("&gt;"); break;
                case '"': escaped.Append("&quot;"); break;
                case '\'': escaped.Append("&#39;"); break;
                case '\t' or '\n' or '\r': escaped.Append(c); break;
                case < ' ' or '\uFFFE' or '\uFFFF': escaped.Append('\uFFFD'); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        escaped.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        escaped.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    }
                    break;
            }
        }
        return escaped.ToString();
    }
}
