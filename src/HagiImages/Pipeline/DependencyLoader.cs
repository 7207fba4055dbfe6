using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace HagiImages.Pipeline;

/// <summary>
/// Lets the runtime find this library's dependencies in the library's own folder. The Cake host loads the
/// library with <c>#r</c> from <c>artifacts/build-host</c>, and without this handler a dependency such as
/// Serilog.Sinks.Console fails to bind with a MissingMethodException at the first call into it.
/// </summary>
internal static class DependencyLoader
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The handler must be in place before any member of the library runs inside the Cake host.")]
    internal static void Register()
    {
        var library = typeof(DependencyLoader).Assembly;
        var directory = Path.GetDirectoryName(library.Location);
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        var context = AssemblyLoadContext.GetLoadContext(library) ?? AssemblyLoadContext.Default;
        context.Resolving += (loadContext, name) => LoadBeside(loadContext, directory, name);
    }

    private static Assembly? LoadBeside(AssemblyLoadContext loadContext, string directory, AssemblyName name)
    {
        var path = Path.Combine(directory, name.Name + ".dll");
        return File.Exists(path) ? loadContext.LoadFromAssemblyPath(path) : null;
    }
}
