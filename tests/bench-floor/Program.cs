// One line on stdout, as `vgac --help` writes its page: what any native .NET start costs here.
Console.WriteLine("floor");
