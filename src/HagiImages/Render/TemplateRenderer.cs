using HagiImages.Pipeline;
using Scriban;
using Scriban.Runtime;

namespace HagiImages.Render;

/// <summary>
/// Renders a Scriban template in strict mode: a name the model does not define is an error, not an empty string.
/// </summary>
internal static class TemplateRenderer
{
    public static string Render(string templatePath, ScriptObject model)
    {
        var text = File.ReadAllText(templatePath);
        var template = Template.Parse(text, templatePath);
        if (template.HasErrors)
        {
            throw new PipelineException(
                $"Template '{templatePath}' has syntax errors: {string.Join("; ", template.Messages)}. Fix the template.");
        }

        var context = new TemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            LoopLimit = 10_000,
            NewLine = "\n",
        };
        context.PushGlobal(model);
        try
        {
            return template.Render(context).ReplaceLineEndings("\n");
        }
        catch (Scriban.Syntax.ScriptRuntimeException exception)
        {
            throw new PipelineException(
                $"Template '{templatePath}' failed to render: {exception.OriginalMessage} at {exception.Span}. Use only the names the render model defines.",
                exception);
        }
    }
}
