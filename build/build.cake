#r "../artifacts/host/HagiImages.dll"
Task("Probe").Does(async () => { Information(await HagiImages.Docker.Probe.VersionAsync()); });
RunTarget(Argument("target", "Probe"));
