"""Words that carry no topic, in folded form (see `bot.feeds.text.tokens`), French and English.

Key terms and sentence similarity ignore them; both languages are always removed because articles
mix them ("le social recruiting", "the French 'alternance'").
"""

from __future__ import annotations

_FRENCH = """
a ai aie aient aies ait alors as au aucun aucune aupres auquel aura aurai auraient aurais aurait
auras aurez auriez aurons auront aussi autant autre autres aux auxquelles auxquels avaient avais
avait avant avec avez aviez avions avoir avons ayant ayez ayons bien c ca car ce ceci cela celle
celles celui cependant certain certaine certaines certains ces cet cette ceux chaque chez ci comme
comment d dans de des deja depuis donc dont du elle elles en encore entre es est et etaient etais
etait etant ete etes etiez etions etre eu eue eues eurent eus eut eux fait faire fais faut font fut
grace ici il ils j je jusqu jusque l la laquelle le lequel les lesquelles lesquels leur leurs lors
lorsque lui m ma mais me meme memes mes moi moins mon n ne ni non nos notre nous on ont ou par parce
parmi pas peu peut peuvent plus plupart pour pourquoi pourtant qu quand que quel quelle quelles
quels qui quoi s sa sans se selon sera serai seraient serais serait seras serez seriez serons seront
ses si sien sienne soi soient sois soit sommes son sont sous suis sur t ta tandis te tes toi ton
tous tout toute toutes tres tu un une unes uns v vers voici voila vos votre vous y cet deux trois
aussi ainsi apres avant toujours jamais souvent selon dit explique ajoute estime precise
egalement notamment plusieurs entre autres chez nombre part fois ans annee annees jour jours
peut peuvent doit doivent faut fallait devient permet permettent explique expliquent ajoute reste
restent dire voir mettre prendre faire donner choisir parler savoir vouloir pouvoir devoir aller
venir passer trouver rester semble semblent souligne rappelle raconte confie observe note constate
different differente differents differentes nouveau nouvelle nouveaux nouvelles grand grande grands
grandes petit petite premier premiere premiers derniers dernier derniere autre chose choses cas
aujourd hui desormais deja encore toujours jamais souvent parfois vraiment surtout plutot ainsi donc
beaucoup peu tres trop assez moins quelques quelque certains certaines
"""

_ENGLISH = """
a about above after again against all also am an and any are aren as at be because been before
being below between both but by can cannot could couldn did didn do does doesn doing don down
during each few for from further had hadn has hasn have haven having he her here hers herself him
himself his how however i if in into is isn it its itself just let ll me more most much must my
myself no nor not now of off on once only or other our ours ourselves out over own re s said says
same she should shouldn so some such t than that the their theirs them themselves then there these
they this those through to too under until up very was wasn we were weren what when where which
while who whom why will with won would wouldn you your yours yourself yourselves also like one two
three many may might new according says told per via get got make made use used even still yet
year years day days never every already first ever really often always just well back
around another whether without within across since though although because last next few lot
lots thing things way ways something anything everything nothing someone anyone everyone people
good better best bad big small large long little less least much many own part
say says said tell tells told ask asks asked know knows known think thinks want wants need needs
take takes took give gives gave come comes came go goes went see sees saw look looks looked
find finds found become becomes became keep keeps kept seem seems seemed show shows showed
"""

STOPWORDS = frozenset(_FRENCH.split()) | frozenset(_ENGLISH.split())
